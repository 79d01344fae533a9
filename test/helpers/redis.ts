/**
 * A real redis-server on a free port for tests. Redis is a hard dependency of the test suite: when the
 * binary is missing this fails loudly (CI installs it through `.ci/run`); it never skips.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { findRedisServer } from '../../scripts/test-dependencies';
import { freePort } from './ports';

export interface RunningRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILLs the server (the port stays reserved for `restart`). */
  kill(): Promise<void>;
  /** Starts a fresh server on the same port (empty: persistence is off). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<RunningRedis>();

function redisServerBinary(): string {
  const binary = findRedisServer();
  if (!binary) {
    throw new Error(
      `redis-server is required by the tests but "${process.env.REDIS_SERVER_PATH ?? 'redis-server'}" cannot run. ` +
        'Install it with `apt-get install redis-server` (`npm test` does when root) or set REDIS_SERVER_PATH.',
    );
  }
  return binary;
}

async function waitUntilAccepting(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
    if (answered) return;
    await sleep(50);
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

export async function startRedis(): Promise<RunningRedis> {
  const binary = redisServerBinary();
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
    await waitUntilAccepting(port);
  };
  const kill = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };

  await launch();
  const redis: RunningRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      running.delete(redis);
      await kill();
    },
  };
  running.add(redis);
  return redis;
}

/** Called by the root hook so a failing test never leaves a server behind. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...running].map((redis) => redis.stop()));
}

/**
 * A port that accepts TCP connections and never answers: Redis "black-holed" (a hung server, a
 * firewall dropping replies). Clients must bound their latency against it.
 */
export async function startBlackHole(): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
