import { detect, toISO3 } from 'tinyld';

// stopword ships no type declarations; this is the part of its exports we use (lists keyed by ISO 639-3).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stopwordLists = require('stopword') as Readonly<Record<string, readonly string[] | undefined>>;

export const UNDETERMINED_LANGUAGE = 'und';

/** Below this many letters tinyld's guesses are close to random. */
const MIN_LETTERS_TO_DETECT = 15;
/** The opening of a document identifies its language as well as all of it does, at a fraction of the cost. */
const DETECTION_SAMPLE_CHARS = 20_000;

/** ISO 639-1 code of the text's language, or 'und' when the text is too short or tinyld cannot tell. */
export function detectLanguage(text: string): string {
  const sample = text.slice(0, DETECTION_SAMPLE_CHARS);
  if (countLetters(sample) < MIN_LETTERS_TO_DETECT) return UNDETERMINED_LANGUAGE;
  return detect(sample) || UNDETERMINED_LANGUAGE;
}

export function isEnglishOrUnknown(language: string): boolean {
  return language === 'en' || language === UNDETERMINED_LANGUAGE;
}

/** stopword's English list has only 108 words and misses common ones ("its", "will", "not", "says"). */
const ENGLISH_STOPWORDS_SUPPLEMENT = [
  'its', "it's", 'itself', 'she', 'hers', 'herself', 'ours', 'ourselves', 'yours', 'yourself', 'theirs', 'themselves',
  'us', 'mine', 'myself', "i'm", "i've", "we're", "they're", "you're", "he's", "she's", "that's", "there's",
  'will', 'shall', 'may', 'can', 'cannot', "can't", "won't", "don't", "doesn't", "didn't", "isn't", "aren't",
  "wasn't", "weren't", "hasn't", "haven't", "wouldn't", "couldn't", "shouldn't", 'does', 'doing', 'done',
  'not', 'no', 'nor', 'so', 'just', 'yet', 'also', 'even', 'ever', 'again', 'once', 'whom', 'whose', 'why',
  'when', 'what', 'whether', 'until', 'during', 'against', 'above', 'below', 'down', 'off', 'further', 'per',
  'via', 'upon', 'within', 'without', 'across', 'along', 'among', 'around', 'toward', 'towards', 'onto',
  'says', 'say', 'saying', 'told', 'tell', 'went', 'goes', 'going', 'made', 'makes', 'making', 'took',
  'takes', 'much', 'own', 'few', 'less', 'least', 'lot', 'lots', 'thing', 'things', 'etc',
];

const stopwordsByLanguage = new Map<string, ReadonlySet<string>>();

/** English stopwords are always included: English phrases turn up in documents in every language. */
export function stopwordsFor(language: string): ReadonlySet<string> {
  let stopwords = stopwordsByLanguage.get(language);
  if (!stopwords) {
    const ownList = language === UNDETERMINED_LANGUAGE ? [] : (stopwordLists[toISO3(language)] ?? []);
    const english = [...(stopwordLists.eng ?? []), ...ENGLISH_STOPWORDS_SUPPLEMENT];
    stopwords = new Set([...english, ...ownList].map((word) => word.toLowerCase()));
    stopwordsByLanguage.set(language, stopwords);
  }
  return stopwords;
}

function countLetters(text: string): number {
  return text.match(/\p{L}/gu)?.length ?? 0;
}
