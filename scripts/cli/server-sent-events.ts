/** Splits a `text/event-stream` into events as chunks arrive (comments and retry lines are dropped). */
export interface ServerSentEvent {
  id?: string;
  event: string;
  /** The `data` lines joined and parsed as JSON. */
  data: unknown;
}

export class ServerSentEventParser {
  private buffer = '';

  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const events: ServerSentEvent[] = [];
    let end;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const event = parseEventBlock(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
      if (event) events.push(event);
    }
    return events;
  }
}

function parseEventBlock(block: string): ServerSentEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { ...(id !== undefined && { id }), event, data: JSON.parse(data.join('\n')) };
}
