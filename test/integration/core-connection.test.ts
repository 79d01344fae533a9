/**
 * The API's connection over the SDK's Rust core (shared/adapters/temporal/core-connection.ts) against a
 * real dev server that is started late, killed and restarted: the grpc-js connection's contract holds.
 * Durations are printed; the only bounds are hang guards far above the budgets.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Client, isGrpcServiceError } from '@temporalio/client';
import { startDevServer, type RunningDevServer } from '../../scripts/temporal/dev-server';
import { resolveTemporalCli } from '../../scripts/temporal/temporal-cli';
import { CoreConnection } from '../../shared/adapters/temporal/core-connection';
import { classifyTemporalError } from '../../shared/adapters/temporal/temporal-unavailable';
import { freePort } from '../helpers/ports';

const GIVE_UP_AFTER_MS = 1_000;
/** Core's own retry of an unreachable server takes 6–10 s; anything near that means it was not turned off. */
const HANG_GUARD_MS = 5_000;

async function failure(call: () => Promise<unknown>): Promise<{ error: { code?: number; details?: string }; ms: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error: error as { code?: number }, ms: Math.round(performance.now() - started) };
  }
  throw new Error('the call succeeded');
}

/** The gRPC status inside a client error (the SDK wraps it one or two levels down). */
function grpcCodeOf(error: unknown): number | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (isGrpcServiceError(current)) return current.code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

describe('CoreConnection: a Temporal client over the Rust core that keeps the API contract', function () {
  this.timeout(180_000);
  let startServer: () => Promise<RunningDevServer>;
  let server: RunningDevServer | undefined;
  let connection: CoreConnection;
  let client: Client;

  before(async () => {
    const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
    const port = await freePort();
    const uiPort = await freePort();
    // The server closes each connection after this (GOAWAY; 5 minutes by default), so the test sees it happen.
    const dynamicConfig = { 'frontend.keepAliveMaxConnectionAge': '2s', 'frontend.keepAliveMaxConnectionAgeGrace': '1s' };
    startServer = () => startDevServer({ cliPath: cli.path, port, uiPort, namespace: 'default', headless: true, dynamicConfig });
    connection = new CoreConnection({ address: `127.0.0.1:${port}`, giveUpAfterMs: GIVE_UP_AFTER_MS, grpcCompression: 'none' });
    client = new Client({ connection });
  });

  after(async () => {
    await connection.close();
    await server?.stop();
  });

  it('is created with no server, fails UNAVAILABLE within its budget, then connects once the server is there', async () => {
    const away = await failure(() => client.workflow.start('nothing', { taskQueue: 'core-connection', workflowId: `early-${randomUUID()}` }));
    console.log(`      no server yet: ${away.ms} ms`);
    assert.equal(classifyTemporalError(away.error), 'unreachable', String(away.error));
    assert.ok(away.ms >= GIVE_UP_AFTER_MS / 2 && away.ms < HANG_GUARD_MS, `${away.ms} ms`);

    server = await startServer();
    const handle = await client.workflow.start('nothing', { taskQueue: 'core-connection', workflowId: `late-${randomUUID()}` });
    assert.equal((await handle.describe()).status.name, 'RUNNING');
  });

  it('answers NOT_FOUND with the server\'s message, without retrying', async () => {
    const missing = await failure(() => connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: 'no-such-run' } }));
    assert.equal(missing.error.code, 5, String(missing.error));
    assert.match(missing.error.details ?? '', /not found/i);
    assert.equal(classifyTemporalError(missing.error), 'answered');
  });

  it('ends a long poll at its deadline (DEADLINE_EXCEEDED) and at once when its signal aborts (CANCELLED)', async () => {
    const handle = await client.workflow.start('nothing', { taskQueue: 'core-connection', workflowId: `poll-${randomUUID()}` });
    const late = await failure(() => connection.withDeadline(Date.now() + 300, () => handle.result()));
    console.log(`      deadline 300 ms: ${late.ms} ms`);
    assert.equal(grpcCodeOf(late.error), 4, `${String(late.error)} ${JSON.stringify((late.error as { cause?: unknown }).cause)}`);
    assert.ok(late.ms >= 250 && late.ms < HANG_GUARD_MS, `${late.ms} ms`);

    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const aborted = await failure(() => connection.withAbortSignal(abort.signal, () => handle.result()));
    console.log(`      aborted after 200 ms: ${aborted.ms} ms`);
    assert.equal(grpcCodeOf(aborted.error), 1, String(aborted.error));
    assert.ok(aborted.ms >= 150 && aborted.ms < 1_000, `${aborted.ms} ms`);
  });

  it('carries on through the server closing its connection (GOAWAY after the maximum connection age)', async () => {
    const handle = await client.workflow.start('nothing', { taskQueue: 'core-connection', workflowId: `rotation-${randomUUID()}` });
    const until = Date.now() + 8_000;
    let calls = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < until) {
          try {
            await connection.withDeadline(Date.now() + 5_000, () => handle.describe());
            calls++;
          } catch (error) {
            const cause = (error as { cause?: { code?: number; message?: string } }).cause;
            failures.push(`${String(error)} (${cause?.code} ${cause?.message})`);
          }
        }
      }),
    );
    console.log(`      ${calls} calls over 8 s of 2 s connections, ${failures.length} failed`);
    assert.deepEqual(failures.slice(0, 3), []);
    assert.ok(calls > 100, `${calls} calls`);
  });

  it('fails UNAVAILABLE within its budget when the server dies, and serves again when it is back', async () => {
    server!.process.kill('SIGKILL');
    await new Promise((resolve) => server!.process.once('exit', resolve));
    server = undefined;
    const down = await failure(() => connection.withDeadline(Date.now() + 10_000, () => connection.workflowService.getSystemInfo({})));
    console.log(`      server killed: ${down.ms} ms`);
    assert.equal(classifyTemporalError(down.error), 'unreachable', String(down.error));
    assert.ok(down.ms < HANG_GUARD_MS, `${down.ms} ms`);

    server = await startServer();
    const back = performance.now();
    await connection.withDeadline(Date.now() + 5_000, () => connection.workflowService.getSystemInfo({}));
    console.log(`      first call after the restart: ${Math.round(performance.now() - back)} ms`);
  });

  it('gives up a connect to a server that accepts and never answers, and connects once a real server takes its port', async () => {
    const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const stuck = new CoreConnection({ address: `127.0.0.1:${port}`, giveUpAfterMs: GIVE_UP_AFTER_MS, connectTimeoutMs: 2_000 });
    let real: RunningDevServer | undefined;
    try {
      const silence = await failure(() => stuck.withDeadline(Date.now() + 10_000, () => stuck.workflowService.getSystemInfo({})));
      console.log(`      silent server: ${silence.ms} ms`);
      assert.equal(classifyTemporalError(silence.error), 'unreachable', String(silence.error));
      assert.ok(silence.ms < 8_000, `${silence.ms} ms`);

      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      real = await startDevServer({ cliPath: cli.path, port, uiPort: await freePort(), namespace: 'default', headless: true });
      await stuck.withDeadline(Date.now() + 5_000, () => stuck.workflowService.getSystemInfo({}));
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await stuck.close();
      await real?.stop();
    }
  });
});
