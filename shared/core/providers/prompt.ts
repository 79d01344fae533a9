/**
 * The analysis prompt sent to every remote provider. PROMPT_VERSION is part of the cache key: bump it
 * whenever the wording or the schema changes, so answers to the old prompt are not served for the new one.
 */
import { z } from 'zod';
import { analysisContentSchema } from '../analysis-result';
import type { AnalysisType } from '../job-types';

export const PROMPT_VERSION = 'analysis-v1';

export interface ChatPrompt {
  system: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
}

const RESULT_JSON_SCHEMA = JSON.stringify(z.toJSONSchema(analysisContentSchema));

const SYSTEM_PROMPT = [
  'You analyze documents. Answer with one JSON object and nothing else: no prose, no code fence.',
  `The object must validate against this JSON Schema: ${RESULT_JSON_SCHEMA}`,
  'summary: 2-4 sentences. keyPoints: up to 7 short statements. entities: people, organizations, places, products, dates.',
  'sentiment.score is in [-1, 1]; label is positive, neutral, negative or mixed. topics: up to 7. language: ISO 639-1 code.',
].join('\n');

export function buildAnalysisPrompt(content: string, analysisType: AnalysisType): ChatPrompt {
  return {
    system: SYSTEM_PROMPT,
    messages: [{ role: 'user', content: `Analysis type: ${analysisType}\n\n<document>\n${content}\n</document>` }],
  };
}

/** One follow-up turn asking the model to fix its own invalid answer. */
export function buildRepairPrompt(original: ChatPrompt, invalidAnswer: string, problem: string): ChatPrompt {
  return {
    system: original.system,
    messages: [
      ...original.messages,
      { role: 'assistant', content: invalidAnswer },
      {
        role: 'user',
        content: `That answer is not valid: ${problem}\nReply again with only the corrected JSON object.`,
      },
    ],
  };
}
