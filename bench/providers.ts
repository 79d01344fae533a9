/** One provider attempt through the activity (a workflow running callProvider) vs the same SDK call made directly. */
import { randomUUID } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { parseAnalysisReply } from '../shared/core/providers/parse-analysis';
import { buildAnalysisPrompt } from '../shared/core/providers/prompt';
import { startProviderEmulator } from '../test/emulator/provider-emulator';
import { providerEnv } from '../test/helpers/provider-workers';
import type { TestStack } from '../test/helpers/stack';
import { report, timeEach } from './report';

const TEXT = 'Acme Corporation opens a regional office in Lisbon next spring and plans to hire forty engineers. ';

export async function benchProviders(stack: TestStack, runs = 100): Promise<void> {
  const emulator = await startProviderEmulator();
  const workers = await stack.startWorkers(providerEnv(emulator, { LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_RATE_LIMIT: '1000000', ANTHROPIC_MAX_CONCURRENCY: '50' }));
  try {
    const sdk = new Anthropic({ apiKey: 'sk-ant-bench', baseURL: emulator.anthropicBaseUrl, maxRetries: 0 });
    const prompt = buildAnalysisPrompt(TEXT.repeat(10), 'full');
    const direct = await timeEach(runs, async () => {
      const message = await sdk.messages.create({ model: 'bench', max_tokens: 1024, system: prompt.system, messages: prompt.messages });
      parseAnalysisReply(message.content.map((block) => (block.type === 'text' ? block.text : '')).join(''));
    });
    const document = await stack.documents.create({ content: TEXT.repeat(10) });
    const throughActivity = await timeEach(runs, () =>
      stack.client.workflow.execute('analyzeDocument', {
        taskQueue: workers.config.temporal.taskQueue,
        workflowId: `bench-${randomUUID()}`,
        args: [{ documentId: document.id, analysisType: 'full' }],
      }),
    );
    const a = report('provider call, direct SDK + parse (emulator)', direct);
    const b = report('provider call through the workflow + activity', throughActivity);
    console.log(`activity overhead: p50 +${(b.p50 - a.p50).toFixed(1)} ms, p95 +${(b.p95 - a.p95).toFixed(1)} ms, p99 +${(b.p99 - a.p99).toFixed(1)} ms`);
  } finally {
    await workers.stop();
    await emulator.close();
  }
}
