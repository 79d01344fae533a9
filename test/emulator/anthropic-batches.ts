/** Anthropic Message Batches as the emulator speaks them: create, retrieve, results (JSONL), cancel. */
import { countOutcomes, finalOutcome, hasEnded, outcomeOf, type BatchRecord } from './batches';
import { randomId, type ProviderController, type ProviderDialect } from './faults';

const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 24 * 60 * 60 * 1000;

export interface BatchReply {
  status: number;
  /** A JSON body, or JSONL text for results. */
  body: object | string;
}

export function anthropicBatchCall(
  method: string,
  subpath: string,
  body: Record<string, unknown> | undefined,
  controller: ProviderController,
  dialect: ProviderDialect,
  baseUrl: string,
): BatchReply | undefined {
  if (method === 'POST' && subpath === '/v1/messages/batches') return create(body, controller, dialect, baseUrl);
  const match = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(subpath);
  if (!match) return undefined;
  const batch = controller.batches.get(match[1]!);
  if (!batch) return { status: 404, body: dialect.errorBody(404, randomId('req_'), `No batch found with id ${match[1]}`) };
  if (method === 'GET' && !match[2]) return { status: 200, body: view(controller.batches.observe(batch), baseUrl) };
  if (method === 'POST' && match[2] === '/cancel') {
    if (!hasEnded(batch)) batch.cancelledAt = Date.now();
    return { status: 200, body: view(batch, baseUrl) };
  }
  if (method === 'GET' && match[2] === '/results') {
    if (!hasEnded(batch)) return { status: 400, body: dialect.errorBody(400, randomId('req_'), 'Batch is still processing; results are not available yet') };
    return { status: 200, body: batch.items.map((item) => JSON.stringify({ custom_id: item.customId, result: resultOf(batch, item, dialect) })).join('\n') + '\n' };
  }
  return undefined;
}

function create(body: Record<string, unknown> | undefined, controller: ProviderController, dialect: ProviderDialect, baseUrl: string): BatchReply {
  const requests = body?.requests;
  const invalid = (message: string) => ({ status: 400, body: dialect.errorBody(400, randomId('req_'), message) });
  if (!Array.isArray(requests) || requests.length === 0) return invalid('requests: Field required');
  const seen = new Set<string>();
  for (const entry of requests as { custom_id?: unknown; params?: unknown }[]) {
    if (typeof entry?.custom_id !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(entry.custom_id)) return invalid('requests.custom_id: must match ^[a-zA-Z0-9_-]{1,64}$');
    if (seen.has(entry.custom_id)) return invalid(`requests: duplicate custom_id ${entry.custom_id}`);
    seen.add(entry.custom_id);
    const problem = entry.params && typeof entry.params === 'object' ? dialect.invalidRequest(entry.params as Record<string, unknown>) : 'params: Field required';
    if (problem) return invalid(`requests.${entry.custom_id}.params.${problem}`);
  }
  const batch = controller.batches.create(
    randomId('msgbatch_'),
    (requests as { custom_id: string; params: Record<string, unknown> }[]).map(({ custom_id, params }) => ({
      customId: custom_id,
      model: String(params.model),
      outcome: outcomeOf(controller.takeFault(), dialect, params),
    })),
  );
  return { status: 200, body: view(batch, baseUrl) };
}

function view(batch: BatchRecord, baseUrl: string): object {
  const ended = hasEnded(batch);
  const counts = countOutcomes(batch);
  return {
    id: batch.id,
    type: 'message_batch',
    processing_status: ended ? 'ended' : 'in_progress',
    request_counts: ended
      ? { processing: 0, succeeded: counts.succeeded, errored: counts.errored, canceled: counts.canceled, expired: counts.expired }
      : { processing: batch.items.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    ended_at: ended ? iso(Math.min(batch.endsAt, batch.cancelledAt ?? Infinity)) : null,
    created_at: iso(batch.createdAt),
    expires_at: iso(batch.createdAt + DAY_MS),
    archived_at: null,
    cancel_initiated_at: batch.cancelledAt !== undefined ? iso(batch.cancelledAt) : null,
    results_url: ended ? `${baseUrl}/v1/messages/batches/${batch.id}/results` : null,
  };
}

function resultOf(batch: BatchRecord, item: BatchRecord['items'][number], dialect: ProviderDialect): object {
  const outcome = finalOutcome(batch, item);
  switch (outcome.kind) {
    case 'succeeded':
      return { type: 'succeeded', message: dialect.completion({ model: item.model, text: outcome.text, usage: outcome.usage }) };
    case 'errored':
      return { type: 'errored', error: dialect.errorBody(outcome.status, randomId('req_')) };
    default:
      return { type: outcome.kind };
  }
}
