/**
 * A client connection to Temporal through the SDK's Rust core (the client its workers use) instead of
 * grpc-js, which was a third of the API's CPU per job (README, "Benchmark"). `NativeConnection` alone
 * breaks what the API was built on, so this keeps that contract:
 * - lazy: the process starts while Temporal is away; a call connects, and a failed connect is tried
 *   again by the next call;
 * - Core's own retry of an unreachable server (6–10 s, past any deadline) is off; the calls are retried
 *   here with the bounded policy the grpc-js connection uses (`boundedRetryOptions`);
 * - abort signals: the caller gets CANCELLED at once. Core cannot cancel a request, so it runs on until
 *   the server answers or its deadline passes (a long poll: the server's own 20 s at most).
 * It reaches two SDK internals (the bridge's request function and the native client handle), pinned by
 * the exact SDK version in package.json and exercised by test/integration/core-connection.test.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultGrpcRetryOptions, HealthService, OperatorService, WorkflowService, type ConnectionLike, type Metadata } from '@temporalio/client';
import { native } from '@temporalio/core-bridge';
import { NativeConnection } from '@temporalio/worker';
import { extractNativeClient } from '@temporalio/worker/lib/connection';
import { boundedRetryOptions } from './bounded-retry';
import { asGrpcJsError, CoreCallError, GRPC_CANCELLED, GRPC_DEADLINE_EXCEEDED, GRPC_UNAVAILABLE } from './core-errors';

type NativeSend = (client: native.Client, call: native.RpcCall) => Promise<Buffer>;
/** protobufjs's service transport: it encodes the request and decodes the response bytes itself. */
type RpcImpl = Parameters<typeof WorkflowService.create>[0];

interface CallContext {
  deadline?: number;
  metadata?: Metadata;
  abortSignal?: AbortSignal;
}

export interface CoreConnectionOptions {
  address: string;
  /** How long a call keeps retrying an unreachable server (within its deadline). */
  giveUpAfterMs: number;
  /**
   * How long a connect may take before it counts as unreachable. Core's own limit is 30 s, and calls
   * made meanwhile wait for that connect, so a server that accepts connections and never answers would
   * keep the process from reconnecting for that long after a healthy server took its place.
   */
  connectTimeoutMs?: number;
  /** Transport compression (the SDK's default: gzip). */
  grpcCompression?: 'none' | 'gzip';
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

const deadlineMsOf = (deadline: number | Date) => (deadline instanceof Date ? deadline.getTime() : deadline);

export class CoreConnection implements ConnectionLike {
  readonly workflowService: WorkflowService;
  readonly operatorService: OperatorService;
  readonly healthService: HealthService;
  readonly plugins = [];
  private readonly context = new AsyncLocalStorage<CallContext>();
  private connecting?: Promise<NativeConnection>;
  private closed = false;

  constructor(private readonly options: CoreConnectionOptions) {
    this.workflowService = WorkflowService.create(this.rpc(native.clientSendWorkflowServiceRequest), false, false);
    this.operatorService = OperatorService.create(this.rpc(native.clientSendOperatorServiceRequest), false, false);
    this.healthService = HealthService.create(this.rpc(native.clientSendHealthServiceRequest), false, false);
  }

  async ensureConnected(): Promise<void> {
    await this.connection();
  }

  withDeadline<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R> {
    return this.context.run({ ...this.context.getStore(), deadline: deadlineMsOf(deadline) }, fn);
  }

  withMetadata<R>(metadata: Metadata, fn: () => Promise<R>): Promise<R> {
    const current = this.context.getStore();
    return this.context.run({ ...current, metadata: { ...current?.metadata, ...metadata } }, fn);
  }

  withAbortSignal<R>(abortSignal: AbortSignal, fn: () => Promise<R>): Promise<R> {
    return this.context.run({ ...this.context.getStore(), abortSignal }, fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    const connecting = this.connecting;
    this.connecting = undefined;
    await connecting?.then((connection) => connection.close(), () => undefined);
  }

  private rpc(send: NativeSend): RpcImpl {
    return (method, requestData, callback) => {
      this.call(send, method.name, requestData).then((response) => callback(null, response), (error: Error) => callback(error));
    };
  }

  private async call(send: NativeSend, rpc: string, requestData: Uint8Array): Promise<Buffer> {
    const { deadline = Infinity, metadata, abortSignal } = this.context.getStore() ?? {};
    const policy = boundedRetryOptions(defaultGrpcRetryOptions(), { deadlineMs: deadline, unreachableUntilMs: Date.now() + this.options.giveUpAfterMs });
    const request = { rpc, req: Buffer.isBuffer(requestData) ? requestData : Buffer.from(requestData), retry: false, metadata: taggedMetadata(metadata) };
    for (let attempt = 1; ; attempt++) {
      try {
        return await untilAbortedOrLate(abortSignal, deadline, async () => {
          const client = extractNativeClient(await this.connection());
          return send(client, { ...request, timeout: deadline === Infinity ? null : Math.max(0, deadline - Date.now()) });
        });
      } catch (caught) {
        const error = asGrpcJsError(caught, deadline, abortSignal);
        const status = error as CoreCallError;
        if (typeof status.code !== 'number' || !policy.retryableDecider(attempt, status as never)) throw error;
        // An abort ends the pause; the next attempt then answers CANCELLED.
        await sleep(policy.delayFunction(attempt, status as never), undefined, { signal: abortSignal }).catch(() => undefined);
      }
    }
  }

  /** One connect at a time; a failed one is forgotten, so the next call tries again. */
  private connection(): Promise<NativeConnection> {
    if (this.closed) return Promise.reject(new CoreCallError(GRPC_UNAVAILABLE, 'connection closed'));
    this.connecting ??= this.connect();
    return this.connecting;
  }

  private async connect(): Promise<NativeConnection> {
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const attempt = NativeConnection.connect({
      address: this.options.address,
      ...(this.options.grpcCompression && { grpcCompression: { codec: this.options.grpcCompression } }),
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CoreCallError(GRPC_UNAVAILABLE, `no answer to a connect within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([attempt, timeout]);
    } catch (error) {
      this.connecting = undefined;
      // A connect that succeeds after it was given up on is closed, not leaked.
      void attempt.then((late) => late.close(), () => undefined);
      throw error instanceof CoreCallError ? error : new CoreCallError(GRPC_UNAVAILABLE, (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The call's result, or CANCELLED as soon as `signal` aborts, or DEADLINE_EXCEEDED once `deadline` has passed (a connect may hang). */
function untilAbortedOrLate<T>(signal: AbortSignal | undefined, deadline: number, call: () => Promise<T>): Promise<T> {
  if (signal?.aborted) return Promise.reject(new CoreCallError(GRPC_CANCELLED, 'Cancelled on client'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => settle(() => reject(new CoreCallError(GRPC_CANCELLED, 'Cancelled on client')));
    // A margin past the deadline: Core's own DEADLINE_EXCEEDED is the usual answer; this catches a hung connect.
    const timer = deadline === Infinity ? undefined : setTimeout(() => settle(() => reject(new CoreCallError(GRPC_DEADLINE_EXCEEDED, 'Deadline exceeded'))), Math.max(0, deadline - Date.now()) + 50);
    const settle = (finish: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    call().then((value) => settle(() => resolve(value)), (error) => settle(() => reject(error)));
  });
}

function taggedMetadata(metadata: Metadata | undefined): Record<string, native.MetadataValue> {
  return Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [key, typeof value === 'string' ? { type: 'ascii', value } : { type: 'binary', value }]),
  ) as Record<string, native.MetadataValue>;
}
