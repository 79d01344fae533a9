/**
 * A real toxiproxy-server for the fault suite: TCP proxies in front of Redis and the provider emulator,
 * and the toxics (latency, black hole, connection reset) that degrade them, through its HTTP API.
 */
import { spawn } from 'node:child_process';
import { resolveToxiproxyServer } from '../../scripts/toxiproxy/toxiproxy-server';
import { waitFor } from './http';
import { freePort } from './ports';

/** The toxics the suite uses (toxiproxy's names and attributes). */
export type Toxic =
  /** Every chunk is delayed by `latency` ms (± `jitter`). */
  | { type: 'latency'; attributes: { latency: number; jitter?: number } }
  /** Black hole: no data passes; with `timeout: 0` the connection stays open until the toxic is removed. */
  | { type: 'timeout'; attributes: { timeout: number } }
  /** Connections are reset (TCP RST) after `timeout` ms. */
  | { type: 'reset_peer'; attributes: { timeout: number } };

export interface Proxy {
  name: string;
  /** host:port clients connect to instead of the upstream. */
  listen: string;
  /** Adds a toxic to both directions; returns a function that removes it. */
  degrade(toxic: Toxic): Promise<() => Promise<void>>;
}

export interface Toxiproxy {
  proxy(name: string, upstream: string): Promise<Proxy>;
  /** Removes every toxic from every proxy. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startToxiproxy(): Promise<Toxiproxy> {
  const binary = await resolveToxiproxyServer();
  const port = await freePort();
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const api = `http://127.0.0.1:${port}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
  await waitFor(() => call('GET', '/version').then(() => true, () => false), Boolean, 10_000);

  let toxicCount = 0;
  return {
    proxy: async (name, upstream) => {
      const listen = `127.0.0.1:${await freePort()}`;
      await call('POST', '/proxies', { name, listen, upstream, enabled: true });
      return {
        name,
        listen,
        degrade: async (toxic) => {
          const names = ['upstream', 'downstream'].map((stream) => ({ stream, name: `${toxic.type}-${stream}-${++toxicCount}` }));
          for (const { stream, name: toxicName } of names) await call('POST', `/proxies/${name}/toxics`, { name: toxicName, stream, toxicity: 1, ...toxic });
          return async () => {
            for (const { name: toxicName } of names) await call('DELETE', `/proxies/${name}/toxics/${toxicName}`);
          };
        },
      };
    },
    reset: async () => {
      await call('POST', '/reset');
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
