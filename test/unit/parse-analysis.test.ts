import assert from 'node:assert/strict';
import { extractJsonText, parseAnalysisReply } from '../../shared/core/providers/parse-analysis';
import { buildAnalysisPrompt, buildRepairPrompt } from '../../shared/core/providers/prompt';
import { DEFAULT_ANALYSIS, fencedText } from '../emulator/provider-emulator';

const json = JSON.stringify(DEFAULT_ANALYSIS);

describe('parsing a model reply into an analysis', () => {
  it('accepts bare JSON', () => {
    assert.deepEqual(parseAnalysisReply(json), { ok: true, content: DEFAULT_ANALYSIS });
  });

  it('accepts JSON in a ```json fence with prose around it', () => {
    assert.deepEqual(parseAnalysisReply(fencedText(JSON.stringify(DEFAULT_ANALYSIS, null, 2))), { ok: true, content: DEFAULT_ANALYSIS });
  });

  it('accepts JSON with a sentence before and after it', () => {
    assert.equal(parseAnalysisReply(`Here you go: ${json} Hope this helps.`).ok, true);
  });

  it('reports prose without JSON', () => {
    assert.deepEqual(parseAnalysisReply('The document is about offices.'), { ok: false, problem: 'the reply contains no JSON object' });
  });

  it('reports JSON that does not parse', () => {
    const parsed = parseAnalysisReply('{"summary": "x",}');
    assert.equal(parsed.ok, false);
    assert.match(!parsed.ok ? parsed.problem : '', /does not parse/);
  });

  it('names the fields that do not match the schema', () => {
    const parsed = parseAnalysisReply(JSON.stringify({ ...DEFAULT_ANALYSIS, sentiment: { label: 'happy', score: 3 } }));
    assert.equal(parsed.ok, false);
    assert.match(!parsed.ok ? parsed.problem : '', /sentiment\.label.*sentiment\.score/);
  });

  it('extracts the fenced block even without the json tag', () => {
    assert.equal(extractJsonText('```\n{"a":1}\n```'), '{"a":1}');
  });
});

describe('analysis prompt', () => {
  it('asks for the result schema as JSON and carries the document', () => {
    const prompt = buildAnalysisPrompt('Some text.', 'full');
    assert.match(prompt.system, /JSON Schema/);
    assert.match(prompt.system, /"keyPoints"/);
    assert.match(prompt.messages[0]!.content, /<document>\nSome text.\n<\/document>/);
  });

  it('repairs by replaying the answer and naming the problem', () => {
    const prompt = buildAnalysisPrompt('x', 'full');
    const repair = buildRepairPrompt(prompt, 'not json', 'the reply contains no JSON object');
    assert.deepEqual(repair.messages.map((message) => message.role), ['user', 'assistant', 'user']);
    assert.match(repair.messages[2]!.content, /no JSON object/);
  });
});
