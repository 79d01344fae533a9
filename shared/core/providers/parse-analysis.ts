/**
 * Turns a model's reply into a validated analysis. Models wrap JSON in ```json fences or add a sentence
 * before or after it; both are tolerated. Anything else is reported as a problem the repair prompt can name.
 */
import { analysisContentSchema, type AnalysisContent } from '../analysis-result';

export type ParsedAnalysis = { ok: true; content: AnalysisContent } | { ok: false; problem: string };

const FENCED = /```(?:json)?\s*\n?([\s\S]*?)```/i;

/** The JSON text inside a reply: a fenced block if there is one, else the outermost {...}. */
export function extractJsonText(reply: string): string | undefined {
  const fenced = FENCED.exec(reply);
  if (fenced) return fenced[1]!.trim();
  const start = reply.indexOf('{');
  const end = reply.lastIndexOf('}');
  return start >= 0 && end > start ? reply.slice(start, end + 1) : undefined;
}

export function parseAnalysisReply(reply: string): ParsedAnalysis {
  const jsonText = extractJsonText(reply);
  if (jsonText === undefined) return { ok: false, problem: 'the reply contains no JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (error) {
    return { ok: false, problem: `the JSON does not parse (${(error as Error).message})` };
  }
  const parsed = analysisContentSchema.safeParse(value);
  if (parsed.success) return { ok: true, content: parsed.data };
  const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return { ok: false, problem: `the JSON does not match the schema (${issues.join('; ')})` };
}
