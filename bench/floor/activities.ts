import Anthropic from '@anthropic-ai/sdk';

export const FLOOR_MODEL = 'claude-bench';

export function createFloorActivities(baseURL: string) {
  const sdk = new Anthropic({ apiKey: 'sk-ant-bench', baseURL, maxRetries: 0 });
  return {
    async callAnthropic(prompt: string): Promise<string> {
      const message = await sdk.messages.create({ model: FLOOR_MODEL, max_tokens: 1024, messages: [{ role: 'user', content: prompt }] });
      return message.content[0]?.type === 'text' ? message.content[0].text : '';
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
