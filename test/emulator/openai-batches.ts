/**
 * OpenAI Batch as the emulator speaks it: upload the input JSONL (POST /v1/files, purpose=batch), create
 * (POST /v1/batches), retrieve (validating → in_progress → completed | expired | cancelled), cancel, and
 * the output and error files (GET /v1/files/{id}/content).
 */
import { countOutcomes, finalOutcome, hasEnded, outcomeOf, type BatchRecord } from './batches';
import { randomId, type ProviderController, type ProviderDialect } from './faults';
import type { BatchReply } from './anthropic-batches';

const seconds = (ms: number) => Math.floor(ms / 1000);
const DAY_MS = 24 * 60 * 60 * 1000;

export async function openaiBatchCall(
  method: string,
  subpath: string,
  raw: Buffer,
  contentType: string | undefined,
  controller: ProviderController,
  dialect: ProviderDialect,
): Promise<BatchReply | undefined> {
  const invalid = (message: string, status = 400) => ({ status, body: dialect.errorBody(status, randomId('req_'), message) });
  if (method === 'POST' && subpath === '/v1/files') {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType ?? '' } }).formData().catch(() => undefined);
    const file = form?.get('file');
    if (!form || !(file instanceof Blob)) return invalid("Missing required parameter: 'file'.");
    if (form.get('purpose') !== 'batch') return invalid("The emulator only takes files with purpose 'batch'.");
    const content = await file.text();
    const stored = controller.batches.storeFile(randomId('file-'), content, 'batch', 'name' in file ? String(file.name) : 'upload.jsonl');
    return { status: 200, body: fileObject(stored.id, stored.content, stored.purpose, stored.filename, stored.createdAt) };
  }
  const content = /^\/v1\/files\/([^/]+)\/content$/.exec(subpath);
  if (method === 'GET' && content) {
    const file = controller.batches.file(content[1]!);
    return file ? { status: 200, body: file.content } : invalid(`No such File object: ${content[1]}`, 404);
  }
  if (method === 'POST' && subpath === '/v1/batches') return create(raw, controller, dialect, invalid);
  const match = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(subpath);
  if (!match) return undefined;
  const batch = controller.batches.get(match[1]!);
  if (!batch) return invalid(`No batch found with id '${match[1]}'.`, 404);
  if (method === 'POST' && match[2]) {
    if (!hasEnded(batch)) batch.cancelledAt = Date.now();
    return { status: 200, body: view(batch, controller, dialect) };
  }
  if (method === 'GET' && !match[2]) return { status: 200, body: view(controller.batches.observe(batch), controller, dialect) };
  return undefined;
}

function create(raw: Buffer, controller: ProviderController, dialect: ProviderDialect, invalid: (message: string, status?: number) => BatchReply): BatchReply {
  let body: { input_file_id?: unknown; endpoint?: unknown; completion_window?: unknown };
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return invalid('The request body is not valid JSON.');
  }
  if (body.endpoint !== '/v1/chat/completions') return invalid("The emulator's batches take endpoint '/v1/chat/completions' only.");
  if (body.completion_window !== '24h') return invalid("completion_window must be '24h'.");
  const file = typeof body.input_file_id === 'string' ? controller.batches.file(body.input_file_id) : undefined;
  if (!file) return invalid(`No such File object: ${String(body.input_file_id)}`, 404);
  const lines = file.content.split('\n').filter((line) => line.trim() !== '');
  const items = [];
  const seen = new Set<string>();
  for (const [index, line] of lines.entries()) {
    let entry: { custom_id?: unknown; method?: unknown; url?: unknown; body?: Record<string, unknown> };
    try {
      entry = JSON.parse(line);
    } catch {
      return invalid(`line ${index + 1} of the input file is not JSON`);
    }
    if (typeof entry.custom_id !== 'string' || seen.has(entry.custom_id)) return invalid(`line ${index + 1}: custom_id missing or repeated`);
    if (entry.method !== 'POST' || entry.url !== '/v1/chat/completions') return invalid(`line ${index + 1}: method must be POST and url /v1/chat/completions`);
    const problem = entry.body ? dialect.invalidRequest(entry.body) : 'body is required';
    if (problem) return invalid(`line ${index + 1}: ${problem}`);
    seen.add(entry.custom_id);
    items.push({ customId: entry.custom_id, model: String(entry.body!.model), outcome: outcomeOf(controller.takeFault(), dialect, entry.body!) });
  }
  if (items.length === 0) return invalid('The input file has no requests.');
  const batch = controller.batches.create(randomId('batch_'), items, file.id);
  return { status: 200, body: view(batch, controller, dialect) };
}

/** The batch as OpenAI reports it; on first reading after the end its output and error files are written. */
function view(batch: BatchRecord, controller: ProviderController, dialect: ProviderDialect): object {
  const ended = hasEnded(batch);
  const counts = countOutcomes(batch);
  const common = {
    id: batch.id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    errors: null,
    input_file_id: controller.batches.inputFileOf(batch.id),
    completion_window: '24h',
    created_at: seconds(batch.createdAt),
    expires_at: seconds(batch.createdAt + DAY_MS),
    in_progress_at: seconds(batch.createdAt),
    metadata: null,
  };
  if (!ended) {
    return { ...common, status: batch.polls === 0 ? 'validating' : 'in_progress', request_counts: { total: batch.items.length, completed: 0, failed: 0 } };
  }
  const files = controller.batches.outputFilesOf(batch.id) ?? writeOutputFiles(batch, controller, dialect);
  const cancelled = batch.cancelledAt !== undefined && batch.cancelledAt < batch.endsAt;
  const status = cancelled ? 'cancelled' : batch.expires ? 'expired' : 'completed';
  const endedAt = seconds(Math.min(batch.endsAt, batch.cancelledAt ?? Infinity));
  return {
    ...common,
    status,
    output_file_id: files.output,
    error_file_id: files.error,
    [cancelled ? 'cancelled_at' : batch.expires ? 'expired_at' : 'completed_at']: endedAt,
    request_counts: { total: batch.items.length, completed: counts.succeeded, failed: batch.items.length - counts.succeeded },
  };
}

function writeOutputFiles(batch: BatchRecord, controller: ProviderController, dialect: ProviderDialect): { output?: string; error?: string } {
  const output: string[] = [];
  const errors: string[] = [];
  for (const item of batch.items) {
    const outcome = finalOutcome(batch, item);
    const line = { id: randomId('batch_req_'), custom_id: item.customId };
    if (outcome.kind === 'succeeded') {
      const body = dialect.completion({ model: item.model, text: outcome.text, usage: outcome.usage });
      output.push(JSON.stringify({ ...line, response: { status_code: 200, request_id: randomId('req_'), body }, error: null }));
    } else if (outcome.kind === 'errored') {
      errors.push(JSON.stringify({ ...line, response: { status_code: outcome.status, request_id: randomId('req_'), body: dialect.errorBody(outcome.status, '') }, error: null }));
    } else {
      const error = outcome.kind === 'expired'
        ? { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' }
        : { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' };
      errors.push(JSON.stringify({ ...line, response: null, error }));
    }
  }
  const store = (lines: string[], name: string) => (lines.length > 0 ? controller.batches.storeFile(randomId('file-'), lines.join('\n') + '\n', 'batch_output', name).id : undefined);
  const files = { output: store(output, `${batch.id}_output.jsonl`), error: store(errors, `${batch.id}_error.jsonl`) };
  controller.batches.setOutputFiles(batch.id, files);
  return files;
}

function fileObject(id: string, content: string, purpose: string, filename: string, createdAt: number): object {
  return { id, object: 'file', bytes: Buffer.byteLength(content), created_at: seconds(createdAt), filename, purpose, status: 'processed', status_details: null, expires_at: null };
}
