import type { AnalysisContent } from '../analysis-result';
import { extractEntities } from './entities';
import { detectLanguage, stopwordsFor, UNDETERMINED_LANGUAGE } from './language';
import { contentWords, splitSentences, tagBoundedPrefix } from './sentences';
import { neutralSentiment, scoreSentiment } from './sentiment';
import { countOccurrences, summarize, type SummaryOptions } from './summarize';
import { extractTopics } from './topics';

export const LOCAL_ANALYZER_MODEL = 'local-extractive-v1';

export type LocalAnalyzerOptions = SummaryOptions;

/** Extractive analysis with no model and no API key: the default provider and the last-resort fallback. */
export function analyzeLocally(text: string, options: LocalAnalyzerOptions = {}): AnalysisContent {
  const sentences = orFallback(() => splitSentences(text), []);
  if (sentences.length === 0) return emptyAnalysis();
  const language = orFallback(() => detectLanguage(text), UNDETERMINED_LANGUAGE);
  const stopwords = stopwordsFor(language);
  const sentenceWords = sentences.map((sentence) => contentWords(sentence, stopwords));
  const wordCounts = countOccurrences(sentenceWords);
  const documents = orFallback(() => tagBoundedPrefix(sentences), []);
  const entities = orFallback(() => extractEntities(documents), []);
  const entityNames = entities.map((entity) => entity.name);
  return {
    ...summarize(sentences, sentenceWords, wordCounts, options),
    entities,
    sentiment: orFallback(() => scoreSentiment(text, language), neutralSentiment()),
    topics: orFallback(() => extractTopics({ documents, wordCounts, language, stopwords, entityNames }), []),
    language,
  };
}

function emptyAnalysis(): AnalysisContent {
  return {
    summary: '',
    keyPoints: [],
    entities: [],
    sentiment: neutralSentiment(),
    topics: [],
    language: UNDETERMINED_LANGUAGE,
  };
}

/**
 * This analyzer is what runs when everything else has failed, so a third-party NLP library
 * tripping over some odd input may cost one field of the result, never the whole analysis.
 */
function orFallback<T>(compute: () => T, fallback: T): T {
  try {
    return compute();
  } catch {
    return fallback;
  }
}
