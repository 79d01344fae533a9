import { isEnglishOrUnknown } from './language';
import type { TaggedDocument } from './sentences';
import { countOccurrences } from './summarize';

interface TaggedTerm {
  normal?: string;
  root?: string;
  tags?: string[];
}

const MAX_TOPICS = 5;
/** Longer noun runs are mostly tagging noise; the last words hold the head noun. */
const MAX_TOPIC_WORDS = 3;
/** Proper nouns are reported as entities; pronouns, dates and amounts are not subjects. */
const NON_TOPIC_TAGS = ['ProperNoun', 'Pronoun', 'Date', 'Value', 'Money', 'Acronym', 'Url', 'Email', 'HashTag'];

export interface TopicSources {
  documents: readonly TaggedDocument[];
  wordCounts: ReadonlyMap<string, number>;
  language: string;
  stopwords: ReadonlySet<string>;
  /** Words of these names are not keywords: the names are already reported as entities. */
  entityNames: readonly string[];
}

/**
 * The most frequent common-noun phrases ("interest rate"), lowercase and singular, filled up with
 * the most frequent keywords. compromise only tags English, so other languages get keywords only.
 */
export function extractTopics({ documents, wordCounts, language, stopwords, entityNames }: TopicSources): string[] {
  const nounPhrases = isEnglishOrUnknown(language)
    ? documents.map((document) => nounPhrasesIn(document, stopwords))
    : [];
  const nounTopics = byCountDescending(countOccurrences(nounPhrases)).slice(0, MAX_TOPICS);
  const entityWords = entityNames.flatMap((name) => name.toLowerCase().split(' '));
  return fillWithKeywords(nounTopics, wordCounts, entityWords, MAX_TOPICS);
}

function nounPhrasesIn(document: TaggedDocument, stopwords: ReadonlySet<string>): string[] {
  document.compute('root'); // adds each term's singular (or infinitive) form to the json output
  const sentences = document.json({ terms: { normal: true, tags: true } }) as { terms?: TaggedTerm[] }[];
  return sentences.flatMap((sentence) => nounRuns(sentence.terms ?? []))
    .map((run) => topicPhrase(run, stopwords))
    .filter((phrase) => phrase.length > 0);
}

/** Consecutive common nouns; a possessive ("company's revenue") ends a run after itself. */
function nounRuns(terms: readonly TaggedTerm[]): TaggedTerm[][] {
  const runs: TaggedTerm[][] = [];
  let run: TaggedTerm[] = [];
  for (const term of terms) {
    const tags = term.tags ?? [];
    const isTopicNoun = tags.includes('Noun') && !NON_TOPIC_TAGS.some((tag) => tags.includes(tag));
    if (isTopicNoun) run.push(term);
    if (!isTopicNoun || tags.includes('Possessive')) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** "Interest rates" → "interest rate": the head (last) noun is singularized via compromise's root. */
function topicPhrase(run: readonly TaggedTerm[], stopwords: ReadonlySet<string>): string {
  const words = run.slice(-MAX_TOPIC_WORDS).map((term, index, kept) => {
    const isHead = index === kept.length - 1;
    const form = isHead && term.tags?.includes('Plural') && term.root ? term.root : (term.normal ?? '');
    return form.toLowerCase().replace(/['’]s?$/u, '');
  });
  return words.filter((word) => word.length > 1 && /\p{L}/u.test(word) && !stopwords.has(word)).join(' ');
}

/** Ties keep first-seen order (the sort is stable), so earlier mentions win. */
function byCountDescending(counts: ReadonlyMap<string, number>): string[] {
  return [...counts.entries()].sort(([, a], [, b]) => b - a).map(([item]) => item);
}

/** Keywords already inside a topic ("rate" in "interest rate") or an entity name are not repeated. */
function fillWithKeywords(
  topics: readonly string[],
  wordCounts: ReadonlyMap<string, number>,
  entityWords: readonly string[],
  limit: number,
): string[] {
  const filled = [...topics];
  const coveredWords = new Set([...topics.flatMap((topic) => topic.split(' ')), ...entityWords]);
  for (const keyword of byCountDescending(wordCounts)) {
    if (filled.length >= limit) break;
    if (!coveredWords.has(keyword)) filled.push(keyword);
  }
  return filled;
}
