import Sentiment from 'sentiment';
import type { AnalysisContent } from '../analysis-result';
import { isEnglishOrUnknown } from './language';

type SentimentResult = AnalysisContent['sentiment'];
type SentimentLabel = SentimentResult['label'];

const afinn = new Sentiment();

/**
 * AFINN's comparative score is word points (each word -5..5) per token. Typical news prose sits
 * around ±0.05..0.2 and openly emotional text above ±0.5; tanh(2x) maps those to about ±0.1..0.4
 * and ±0.75, and keeps every score inside -1..1 without a hard clip.
 */
const COMPARATIVE_GAIN = 2;
/** Scores closer to zero than this read as neutral. */
const NEUTRAL_BAND = 0.05;
/** Mixed: each side has at least this many sentiment words and this share of all of them. */
const MIXED_MIN_WORDS_PER_SIDE = 2;
const MIXED_MIN_SHARE_PER_SIDE = 0.25;

export function neutralSentiment(): SentimentResult {
  return { label: 'neutral', score: 0 };
}

/** AFINN is an English lexicon: on other languages it misreads words (German "die" scores -3), so they stay neutral. */
export function scoreSentiment(text: string, language: string): SentimentResult {
  if (!isEnglishOrUnknown(language)) return neutralSentiment();
  const { comparative, positive, negative } = afinn.analyze(text);
  const score = roundScore(Math.tanh(comparative * COMPARATIVE_GAIN));
  return { label: labelSentiment(score, positive.length, negative.length), score };
}

export function labelSentiment(score: number, positiveWords: number, negativeWords: number): SentimentLabel {
  const sentimentWords = positiveWords + negativeWords;
  const isSubstantial = (sideWords: number) =>
    sideWords >= MIXED_MIN_WORDS_PER_SIDE && sideWords / sentimentWords >= MIXED_MIN_SHARE_PER_SIDE;
  if (isSubstantial(positiveWords) && isSubstantial(negativeWords)) return 'mixed';
  if (score >= NEUTRAL_BAND) return 'positive';
  if (score <= -NEUTRAL_BAND) return 'negative';
  return 'neutral';
}

/** Three decimals are plenty for a lexicon score; `|| 0` turns -0 and NaN into 0. */
function roundScore(score: number): number {
  return Math.round(score * 1000) / 1000 || 0;
}
