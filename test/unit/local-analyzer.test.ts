import assert from 'node:assert/strict';
import { analysisContentSchema, type AnalysisContent } from '../../shared/core/analysis-result';
import { analyzeLocally, LOCAL_ANALYZER_MODEL } from '../../shared/core/local-analyzer';
import { cleanEntityName } from '../../shared/core/local-analyzer/entities';
import { splitIntoBlocks } from '../../shared/core/local-analyzer/sentences';
import { labelSentiment } from '../../shared/core/local-analyzer/sentiment';

const NEWS_SENTENCES = [
  "Microsoft agreed on Monday to acquire the gaming studio Nimbus Games for $2 billion, the largest deal in the company's history in Europe.",
  "Satya Nadella, Microsoft's chief executive, said the acquisition would strengthen the company's cloud gaming business.",
  'Nimbus Games, based in Stockholm, employs 900 developers and makes the popular racing series Velocity.',
  'Regulators at the European Commission are expected to review the deal over the coming months.',
  'Analysts at Goldman Sachs said the price was high but the strategic logic of the deal was sound.',
  'Shares of Microsoft rose 2 percent in New York trading after the announcement.',
  'Anna Lindqvist, the founder of Nimbus Games, will join Microsoft to lead its new gaming studio in Sweden.',
  'Lindqvist said the studio would keep its name and its offices in Stockholm.',
  "The deal follows Microsoft's purchase of Activision Blizzard, which closed last year after a long review by regulators in Washington and London.",
  "Nadella told reporters that gaming remains central to the company's strategy.",
];
const NEWS = NEWS_SENTENCES.join(' ');

const POSITIVE_REVIEW =
  'I absolutely love this phone. The camera is amazing and the battery life is excellent. ' +
  'Setup was easy and the support team was wonderful and helpful. Best purchase I have made this year.';
const NEGATIVE_REVIEW =
  'This was a terrible experience. The product broke after two days, the support was useless and rude, ' +
  'and the refund process was a nightmare. I am angry and disappointed.';
const MIXED_REVIEW =
  'The hotel room was beautiful, the staff were friendly and the breakfast was excellent. ' +
  'However, the noise at night was awful, the bathroom was dirty and the wifi was terrible.';
const FRENCH =
  "Le président Emmanuel Macron a rencontré hier à Paris les dirigeants de l'Union européenne. " +
  "Ils ont discuté de l'avenir de l'économie et de la crise énergétique. La réunion s'est tenue au palais de l'Élysée.";
const GERMAN =
  'Die Bundesregierung hat am Mittwoch in Berlin einen neuen Haushaltsentwurf vorgestellt. ' +
  'Der Finanzminister sagte, die Schuldenbremse werde eingehalten. ' +
  'Die Opposition kritisierte die geplanten Kürzungen bei der Bildung und im Sozialbereich.';

const ONE_MEGABYTE = 1_000_000;

function analyzeValid(text: string, options?: Parameters<typeof analyzeLocally>[1]): AnalysisContent {
  const result = analyzeLocally(text, options);
  return analysisContentSchema.parse(result);
}

function megabyteOf(text: string): string {
  return `${text}\n\n`.repeat(Math.ceil(ONE_MEGABYTE / (text.length + 2))).slice(0, ONE_MEGABYTE);
}

function timed<T>(run: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
}

describe('local extractive analyzer', () => {
  it('names its model local-extractive-v1', () => {
    assert.equal(LOCAL_ANALYZER_MODEL, 'local-extractive-v1');
  });

  describe('summary and key points', () => {
    it('builds the summary from three sentences of the text, in their original order', () => {
      const { summary } = analyzeValid(NEWS);
      const included = NEWS_SENTENCES.filter((sentence) => summary.includes(sentence));
      assert.equal(included.length, 3);
      assert.equal(summary, included.join(' '));
    });

    it('keeps the lead sentence of a news story in its summary', () => {
      const { summary } = analyzeValid(NEWS);
      assert.ok(summary.startsWith(NEWS_SENTENCES[0] ?? '<missing>'), summary);
    });

    it('returns five distinct key points, each a sentence of the text', () => {
      const { keyPoints } = analyzeValid(NEWS);
      assert.equal(keyPoints.length, 5);
      assert.equal(new Set(keyPoints).size, 5);
      for (const point of keyPoints) assert.ok(NEWS_SENTENCES.includes(point), point);
    });

    it('honours maxSummarySentences and maxKeyPoints', () => {
      const { summary, keyPoints } = analyzeValid(NEWS, { maxSummarySentences: 1, maxKeyPoints: 2 });
      assert.ok(NEWS_SENTENCES.includes(summary), summary);
      assert.equal(keyPoints.length, 2);
    });

    it('does not repeat a sentence that occurs several times in the text', () => {
      const repeated = `${NEWS} ${NEWS} ${NEWS}`;
      const { keyPoints, summary } = analyzeValid(repeated);
      assert.equal(new Set(keyPoints).size, keyPoints.length);
      assert.equal(NEWS_SENTENCES.filter((sentence) => summary.includes(sentence)).length, 3);
    });
  });

  describe('entities', () => {
    it('finds the people, places, organizations and money of a news story, with their types', () => {
      const { entities } = analyzeValid(NEWS);
      const expected = [
        { name: 'Microsoft', type: 'organization' },
        { name: 'European Commission', type: 'organization' },
        { name: 'Goldman Sachs', type: 'organization' },
        { name: 'Anna Lindqvist', type: 'person' },
        { name: 'Stockholm', type: 'place' },
        { name: 'London', type: 'place' },
        { name: '$2 billion', type: 'money' },
      ];
      for (const entity of expected) assert.deepEqual(entities.filter((e) => e.name === entity.name), [entity]);
    });

    it('lists the most mentioned entity first', () => {
      const { entities } = analyzeValid(NEWS);
      assert.equal(entities[0]?.name, 'Microsoft');
    });

    it("reports each entity once, without possessive 's or sentence punctuation", () => {
      const { entities } = analyzeValid(NEWS);
      const keys = entities.map((entity) => entity.name.toLowerCase());
      assert.equal(new Set(keys).size, keys.length);
      for (const { name } of entities) assert.doesNotMatch(name, /['’]s$|[,;:!?]$/);
    });

    it('counts a surname mentioned alone towards the full name', () => {
      const text = 'Angela Merkel visited Paris in May. Barack Obama visited Chicago on Friday. ' +
        'Obama said the city was beautiful. Later, Obama met students at the university.';
      const { entities } = analyzeValid(text);
      assert.equal(entities.some((entity) => entity.name === 'Obama'), false);
      assert.deepEqual(entities[0], { name: 'Barack Obama', type: 'person' });
    });

    it('reports at most 25 entities', () => {
      const cities = ['Paris', 'London', 'Berlin', 'Madrid', 'Rome', 'Tokyo', 'Chicago', 'Boston', 'Toronto', 'Sydney',
        'Moscow', 'Beijing', 'Dublin', 'Vienna', 'Prague', 'Lisbon', 'Athens', 'Oslo', 'Stockholm', 'Helsinki',
        'Warsaw', 'Budapest', 'Cairo', 'Lagos', 'Nairobi', 'Seattle', 'Denver', 'Houston', 'Miami', 'Atlanta'];
      const tour = cities.map((city, index) => `The orchestra played ${index + 2} concerts in ${city} last season.`);
      const { entities } = analyzeValid(tour.join(' '));
      assert.equal(entities.length, 25);
    });

    it('cleans names: trailing punctuation and possessives go, abbreviations and titles are handled', () => {
      assert.equal(cleanEntityName('Google.', 'organization'), 'Google');
      assert.equal(cleanEntityName("Angela Merkel's", 'person'), 'Angela Merkel');
      assert.equal(cleanEntityName('"Tim Cook,"', 'person'), 'Tim Cook');
      assert.equal(cleanEntityName('Apple Inc.', 'organization'), 'Apple Inc.');
      assert.equal(cleanEntityName('the U.S.', 'place'), 'U.S.');
      assert.equal(cleanEntityName('président Emmanuel Macron', 'person'), 'Emmanuel Macron');
    });
  });

  describe('sentiment', () => {
    it('labels enthusiastic text positive with a score above zero', () => {
      const { sentiment } = analyzeValid(POSITIVE_REVIEW);
      assert.equal(sentiment.label, 'positive');
      assert.ok(sentiment.score > 0, String(sentiment.score));
    });

    it('labels angry text negative with a score below zero', () => {
      const { sentiment } = analyzeValid(NEGATIVE_REVIEW);
      assert.equal(sentiment.label, 'negative');
      assert.ok(sentiment.score < 0, String(sentiment.score));
    });

    it('labels text with strong praise and strong complaints mixed', () => {
      assert.equal(analyzeValid(MIXED_REVIEW).sentiment.label, 'mixed');
    });

    it('labels plain factual text neutral', () => {
      assert.deepEqual(analyzeValid('The meeting is scheduled for Tuesday at 10 am in room 4.').sentiment, {
        label: 'neutral',
        score: 0,
      });
    });

    it('keeps non-English text neutral rather than misreading it with the English lexicon', () => {
      assert.deepEqual(analyzeValid(GERMAN).sentiment, { label: 'neutral', score: 0 });
    });

    it('needs at least two words on each side, each a quarter of the sentiment words, to call text mixed', () => {
      assert.equal(labelSentiment(0.3, 10, 1), 'positive');
      assert.equal(labelSentiment(0.3, 10, 2), 'positive');
      assert.equal(labelSentiment(0.1, 6, 2), 'mixed');
      assert.equal(labelSentiment(-0.3, 1, 1), 'negative');
      assert.equal(labelSentiment(0.04, 1, 0), 'neutral');
    });
  });

  describe('topics', () => {
    it('names lowercase noun topics of a real text, the most frequent first', () => {
      const { topics } = analyzeValid(NEWS);
      assert.ok(topics.length > 0 && topics.length <= 5, JSON.stringify(topics));
      assert.equal(topics[0], 'deal');
      for (const topic of topics) assert.equal(topic, topic.toLowerCase());
    });

    it('singularizes topics and keeps compound nouns together', () => {
      const text = 'Interest rates rose again. Banks said interest rates will stay high. Higher interest rates hurt borrowers.';
      assert.ok(analyzeValid(text).topics.includes('interest rate'), JSON.stringify(analyzeValid(text).topics));
    });

    it('falls back to keywords, leaving out stopwords and entity names, for other languages', () => {
      const { topics, entities } = analyzeValid(FRENCH);
      assert.ok(topics.length > 0);
      for (const stopword of ['le', 'la', 'de', 'les']) assert.equal(topics.includes(stopword), false, stopword);
      const entityWords = entities.flatMap((entity) => entity.name.toLowerCase().split(' '));
      for (const topic of topics) assert.equal(entityWords.includes(topic), false, topic);
    });
  });

  describe('language', () => {
    it('detects English, French and German', () => {
      assert.equal(analyzeValid(NEWS).language, 'en');
      assert.equal(analyzeValid(FRENCH).language, 'fr');
      assert.equal(analyzeValid(GERMAN).language, 'de');
    });

    it("reports 'und' for text too short to tell", () => {
      assert.equal(analyzeValid('OK, thanks.').language, 'und');
    });
  });

  describe('degenerate input', () => {
    const emptyResult: AnalysisContent = {
      summary: '',
      keyPoints: [],
      entities: [],
      sentiment: { label: 'neutral', score: 0 },
      topics: [],
      language: 'und',
    };

    const emptyInputs: [string, string][] = [
      ['empty', ''],
      ['whitespace', ' \n\t \r\n  '],
      ['punctuation', '!?... ,;: -- ...'],
      ['emoji', '🎉🎉 😀 🚀'],
    ];
    for (const [name, text] of emptyInputs) {
      it(`returns the empty analysis for ${name} input`, () => {
        assert.deepEqual(analyzeValid(text), emptyResult);
      });
    }

    it('returns schema-valid content for every kind of input', () => {
      const inputs = [NEWS, POSITIVE_REVIEW, NEGATIVE_REVIEW, MIXED_REVIEW, FRENCH, GERMAN, '日本語のテキストです。東京は大きい都市です。',
        'x', '42', 'a'.repeat(5_000), 'word-'.repeat(2_000), `${'.'.repeat(3_000)}Hello there.`, '\u0000\uD800 broken surrogate'];
      for (const text of inputs) assert.doesNotThrow(() => analyzeValid(text), text.slice(0, 40));
    });

    it('caps overlong key points so a text without punctuation does not come back whole', () => {
      const { keyPoints } = analyzeValid('word '.repeat(10_000));
      for (const point of keyPoints) assert.ok(point.length <= 401, String(point.length));
    });
  });

  describe('large input', () => {
    it('analyzes 1 MB of prose in well under ten seconds, with a schema-valid result', () => {
      const text = megabyteOf([NEWS, POSITIVE_REVIEW, NEGATIVE_REVIEW, MIXED_REVIEW].join('\n\n'));
      const { result, ms } = timed(() => analyzeValid(text));
      assert.ok(ms < 10_000, `${ms} ms`);
      assert.notEqual(result.summary, '');
      assert.ok(result.entities.length > 0 && result.entities.length <= 25);
      assert.ok(result.topics.length > 0);
      assert.equal(result.language, 'en');
    });

    it('analyzes 1 MB of runs of periods, which make compromise slow down quadratically, quickly', () => {
      const { ms } = timed(() => analyzeValid(megabyteOf('Wait.......... what?!?!?!?!?!?! ' + '.'.repeat(5_000))));
      assert.ok(ms < 10_000, `${ms} ms`);
    });

    it('cuts text into bounded blocks that put the text back together, preferring sentence ends', () => {
      const text = `${'A short sentence. '.repeat(200)}${'x'.repeat(5_000)}`;
      const blocks = splitIntoBlocks(text, 2_000);
      assert.equal(blocks.join(''), text);
      for (const block of blocks) assert.ok(block.length <= 2_000);
      assert.ok(blocks[0]?.endsWith('sentence. '), blocks[0]?.slice(-20));
    });
  });
});
