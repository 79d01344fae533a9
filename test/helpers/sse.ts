/** Reads a job's server-sent events over a real HTTP connection, for tests. */
import { ServerSentEventParser, type ServerSentEvent } from '../../scripts/cli/server-sent-events';

export type ReceivedEvent = ServerSentEvent & { data: any };

export interface EventStream {
  status: number;
  contentType: string | null;
  /** Every event received until the stream ended or `until` said stop. */
  events: ReceivedEvent[];
}

export async function readEventStream(
  url: string,
  options: { headers?: Record<string, string>; until?: (event: ReceivedEvent) => boolean; timeoutMs?: number } = {},
): Promise<EventStream> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), options.timeoutMs ?? 60_000);
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...options.headers }, signal: stop.signal });
  const stream: EventStream = { status: response.status, contentType: response.headers.get('content-type'), events: [] };
  if (!response.ok || !response.body) return stream;
  const parser = new ServerSentEventParser();
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      for (const event of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
        stream.events.push(event);
        if (options.until?.(event)) {
          stop.abort();
          return stream;
        }
      }
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return stream;
}
