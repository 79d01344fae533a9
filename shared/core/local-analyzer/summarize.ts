export interface SummaryOptions {
  maxSummarySentences?: number;
  maxKeyPoints?: number;
}

export interface ExtractiveSummary {
  summary: string;
  keyPoints: string[];
}

const DEFAULT_SUMMARY_SENTENCES = 3;
const DEFAULT_KEY_POINTS = 5;
/** Sentences with fewer content words than this (headings, list fragments) get a proportionally lower score. */
const MIN_WORDS_FOR_FULL_SCORE = 5;
/** Lead sentences tend to state what a document is about; the bonus halves, thirds... with position. */
const LEAD_BONUS = 0.1;
/** Hard-cut blocks of text without punctuation can be 2,000 characters long; nobody reads that as one point. */
const MAX_POINT_CHARS = 400;

export function countOccurrences(lists: readonly (readonly string[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const list of lists) {
    for (const item of list) counts.set(item, (counts.get(item) ?? 0) + 1);
  }
  return counts;
}

/**
 * Ranks sentences by how frequent their content words are across the document (plus a small
 * bonus for leading sentences). The summary is the top sentences in document order; the key
 * points are the top sentences in rank order.
 */
export function summarize(
  sentences: readonly string[],
  sentenceWords: readonly (readonly string[])[],
  wordCounts: ReadonlyMap<string, number>,
  options: SummaryOptions = {},
): ExtractiveSummary {
  const summaryLength = countOption(options.maxSummarySentences, DEFAULT_SUMMARY_SENTENCES);
  const keyPointCount = countOption(options.maxKeyPoints, DEFAULT_KEY_POINTS);
  const ranked = rankSentences(sentences, sentenceWords, wordCounts, Math.max(summaryLength, keyPointCount));
  const summaryIndexes = ranked.slice(0, summaryLength).sort((a, b) => a - b);
  return {
    summary: summaryIndexes.map((index) => asPoint(sentences[index] ?? '')).join(' '),
    keyPoints: ranked.slice(0, keyPointCount).map((index) => asPoint(sentences[index] ?? '')),
  };
}

/** Indexes of the `limit` best sentences, best first, skipping repeats of an already chosen sentence. */
function rankSentences(
  sentences: readonly string[],
  sentenceWords: readonly (readonly string[])[],
  wordCounts: ReadonlyMap<string, number>,
  limit: number,
): number[] {
  const topCount = highestCount(wordCounts);
  const scores = sentences.map(
    (_, index) => contentScore(sentenceWords[index] ?? [], wordCounts, topCount) + LEAD_BONUS / (index + 1),
  );
  const byScore = sentences.map((_, index) => index).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
  const chosen: number[] = [];
  const seen = new Set<string>();
  for (const index of byScore) {
    if (chosen.length >= limit) break;
    const key = (sentences[index] ?? '').toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    chosen.push(index);
  }
  return chosen;
}

function contentScore(words: readonly string[], wordCounts: ReadonlyMap<string, number>, topCount: number): number {
  let total = 0;
  for (const word of words) total += (wordCounts.get(word) ?? 0) / topCount;
  return total / Math.max(words.length, MIN_WORDS_FOR_FULL_SCORE);
}

function highestCount(wordCounts: ReadonlyMap<string, number>): number {
  let highest = 1;
  for (const count of wordCounts.values()) highest = Math.max(highest, count);
  return highest;
}

function asPoint(sentence: string): string {
  if (sentence.length <= MAX_POINT_CHARS) return sentence;
  const space = sentence.lastIndexOf(' ', MAX_POINT_CHARS);
  const head = space > 0 ? sentence.slice(0, space) : sentence.slice(0, MAX_POINT_CHARS);
  return `${head.replace(/[\uD800-\uDBFF]$/, '')}…`;
}

function countOption(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : fallback;
}
