/**
 * The batch side of the emulator: a submitted batch takes each item's outcome from the provider's fault
 * queue (so a test programs per-item errors the way it programs single requests) and ends after a
 * configurable processing time. Both providers' batch APIs (anthropic-batches.ts, openai-batches.ts)
 * render these records in their own wire shapes.
 */
import { assistantText, documentAnswer, documentInPrompt, estimateTokens, type Fault, type ProviderDialect, type TokenUsage } from './faults';

/** What a batch item came to: an answer, a provider error, or nothing before the batch expired. */
export type BatchItemOutcome =
  | { kind: 'succeeded'; text: string; usage: TokenUsage }
  | { kind: 'errored'; status: number }
  | { kind: 'expired' }
  | { kind: 'canceled' };

export interface BatchItem {
  customId: string;
  model: string;
  outcome: BatchItemOutcome;
}

export interface BatchRecord {
  id: string;
  createdAt: number;
  /** When processing ends (createdAt + the controller's processing time). */
  endsAt: number;
  cancelledAt?: number;
  /** The whole batch ran out of time: every item comes back expired. */
  expires: boolean;
  items: BatchItem[];
  /** Times the batch was read while still processing (status polls). */
  polls: number;
}

export interface BatchBehaviour {
  /** How long a batch stays in progress before it ends. */
  processingMs: number;
  /** Batches end as expired (no item answered within the completion window). */
  expire: boolean;
}

export const DEFAULT_BATCH_BEHAVIOUR: BatchBehaviour = { processingMs: 200, expire: false };

/**
 * An item's outcome from the fault it consumed: answering faults succeed, HTTP errors error (a reset
 * counts as a 500), and a hanging request is an item the provider never got to (expired).
 */
export function outcomeOf(fault: Fault, dialect: ProviderDialect, body: Record<string, unknown>): BatchItemOutcome {
  switch (fault.kind) {
    case 'status':
      return { kind: 'errored', status: fault.status };
    case 'reset':
      return { kind: 'errored', status: 500 };
    case 'hang':
      return { kind: 'expired' };
    default: {
      const text = fault.kind === 'per-document' ? JSON.stringify(documentAnswer(documentInPrompt(dialect.promptText(body)) ?? '')) : assistantText(fault);
      const usage = (fault.kind === 'ok' && fault.usage) || { input: estimateTokens(dialect.promptText(body)), output: estimateTokens(text) };
      return { kind: 'succeeded', text, usage };
    }
  }
}

export function hasEnded(batch: BatchRecord, now = Date.now()): boolean {
  return batch.cancelledAt !== undefined || now >= batch.endsAt;
}

/** Item outcomes as the batch reports them once ended: expiry and cancellation override what was programmed. */
export function finalOutcome(batch: BatchRecord, item: BatchItem): BatchItemOutcome {
  if (batch.cancelledAt !== undefined && batch.cancelledAt < batch.endsAt) return { kind: 'canceled' };
  if (batch.expires) return { kind: 'expired' };
  return item.outcome;
}

export function countOutcomes(batch: BatchRecord): Record<BatchItemOutcome['kind'], number> {
  const counts = { succeeded: 0, errored: 0, expired: 0, canceled: 0 };
  for (const item of batch.items) counts[finalOutcome(batch, item).kind]++;
  return counts;
}

interface StoredFile {
  id: string;
  content: string;
  purpose: string;
  filename: string;
  createdAt: number;
}

/** One provider's batches and files (OpenAI's input and output files live here too). */
export class BatchStore {
  private readonly batches = new Map<string, BatchRecord>();
  private readonly files = new Map<string, StoredFile>();
  private readonly inputFiles = new Map<string, string>();
  private readonly outputFiles = new Map<string, { output?: string; error?: string }>();
  behaviour: BatchBehaviour = { ...DEFAULT_BATCH_BEHAVIOUR };

  create(id: string, items: BatchItem[], inputFileId?: string): BatchRecord {
    const now = Date.now();
    const batch: BatchRecord = { id, createdAt: now, endsAt: now + this.behaviour.processingMs, expires: this.behaviour.expire, items, polls: 0 };
    this.batches.set(id, batch);
    if (inputFileId) this.inputFiles.set(id, inputFileId);
    return batch;
  }

  get(id: string): BatchRecord | undefined {
    return this.batches.get(id);
  }

  /** A status read: counted while the batch is in progress. */
  observe(batch: BatchRecord): BatchRecord {
    if (!hasEnded(batch)) batch.polls++;
    return batch;
  }

  all(): BatchRecord[] {
    return [...this.batches.values()];
  }

  storeFile(id: string, content: string, purpose: string, filename: string): StoredFile {
    const file = { id, content, purpose, filename, createdAt: Date.now() };
    this.files.set(id, file);
    return file;
  }

  file(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  inputFileOf(batchId: string): string | undefined {
    return this.inputFiles.get(batchId);
  }

  outputFilesOf(batchId: string): { output?: string; error?: string } | undefined {
    return this.outputFiles.get(batchId);
  }

  setOutputFiles(batchId: string, files: { output?: string; error?: string }): void {
    this.outputFiles.set(batchId, files);
  }
}
