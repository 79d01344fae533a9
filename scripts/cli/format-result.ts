/** An analysis result as text for people: the content first, where it came from last. */
import type { AnalysisResult } from './api-types';

export function renderResult(result: AnalysisResult): string {
  const { meta } = result;
  const score = `${result.sentiment.score >= 0 ? '+' : ''}${result.sentiment.score.toFixed(2)}`;
  return [
    'Summary',
    indent(result.summary || '(empty)'),
    '',
    'Key points',
    ...listOrNone(result.keyPoints.map((point) => `- ${point}`)),
    '',
    'Entities',
    ...listOrNone(result.entities.map((entity) => `${entity.name} (${entity.type})`)),
    '',
    `Sentiment  ${result.sentiment.label} (${score})`,
    `Topics     ${result.topics.join(', ') || '(none)'}`,
    `Language   ${result.language}`,
    '',
    [
      `provider ${meta.provider}`,
      `model ${meta.model}${meta.tier ? ` [${meta.tier}]` : ''}`,
      `tokens ${tokensText({ input: meta.inputTokens, output: meta.outputTokens })}`,
      `cached ${meta.cached ? 'yes' : 'no'}`,
    ].join(' · '),
  ].join('\n');
}

export function tokensText(tokens: { input: number; output: number }): string {
  return `${tokens.input} in / ${tokens.output} out`;
}

/** The first line of a summary, cut to fit one terminal line. */
export function summaryLine(result: AnalysisResult, maxLength = 100): string {
  const first = (result.summary.split('\n')[0] ?? '').trim() || '(empty summary)';
  return first.length > maxLength ? `${first.slice(0, maxLength - 1)}…` : first;
}

function listOrNone(lines: string[]): string[] {
  return lines.length ? lines.map(indent) : [indent('(none)')];
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
