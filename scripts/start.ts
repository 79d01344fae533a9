/**
 * `npm start`: dev server (unless TEMPORAL_ADDRESS is set), one worker and the API, stopped together by Ctrl-C.
 * Each runs in its own process group, so the terminal's Ctrl-C reaches only this supervisor, which stops
 * them in order: worker and API first (the worker finishes its in-flight tasks, which needs the server),
 * then the dev server. A second Ctrl-C stops everything at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfigOrExit, type AppConfig } from '../shared/config';
import { isPortInUse, portInUseMessage, StartupProblem } from '../shared/adapters/startup-problem';
import { codecEndpointOf, DevServerPortInUseError, devServerPortInUseMessage, startDevServer, type RunningDevServer } from './temporal/dev-server';
import { resolveTemporalCli } from './temporal/temporal-cli';

const ROOT = path.resolve(__dirname, '..');

let stopping = false;
let devServer: RunningDevServer | undefined;
const children = new Map<string, ChildProcess>();

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function startChild(name: string, entry: string, onMessage?: (message: unknown) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: process.cwd(),
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  if (onMessage) child.on('message', onMessage);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited unexpectedly (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  children.set(name, child);
  return child;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (isRunning(child) ? child.once('exit', () => resolve()) : resolve()));
}

async function stopAll(exitCode: number) {
  if (stopping) return;
  stopping = true;
  const running = [...children.values()].filter(isRunning);
  running.forEach((child) => child.kill('SIGTERM'));
  await Promise.all(running.map(exitOf));
  await devServer?.stop();
  process.exit(exitCode);
}

function onStopSignal(config: AppConfig) {
  if (!stopping) {
    const worker = children.get('worker');
    if (worker && isRunning(worker)) {
      const graceSeconds = Math.round(config.worker.shutdownGraceMs / 1000);
      console.log(`Stopping: the worker finishes its in-flight tasks first (at most ${graceSeconds} s, WORKER_SHUTDOWN_GRACE_SECONDS); Ctrl-C again stops at once.`);
    }
    void stopAll(0);
    return;
  }
  // Second signal: no more waiting.
  for (const child of children.values()) if (isRunning(child)) child.kill('SIGKILL');
}

function printBanner(config: AppConfig, apiUrl: string) {
  const keyNeeded = config.security.apiKeys.length + config.security.adminApiKeys.length > 0;
  console.log('');
  console.log(`  API docs:     ${apiUrl}/docs   (OpenAPI: ${apiUrl}/api/openapi.json)`);
  console.log(`  API health:   ${apiUrl}/api/health${keyNeeded ? '   (send a key from API_KEYS: Authorization: Bearer …)' : ''}`);
  console.log(`  Temporal UI:  ${config.temporal.uiUrl}`);
  console.log('  Ctrl-C stops everything.');
  console.log('');
}

async function main() {
  const config = loadConfigOrExit();
  process.on('SIGINT', () => onStopSignal(config));
  process.on('SIGTERM', () => onStopSignal(config));
  // Whatever ends this process, nothing it started outlives it.
  process.on('exit', () => {
    for (const child of children.values()) if (isRunning(child)) child.kill('SIGKILL');
    if (devServer?.process.exitCode === null) devServer.process.kill('SIGKILL');
  });

  // Found before a dev server is started for nothing.
  if (await isPortInUse(config.api.host, config.api.port)) throw new StartupProblem(portInUseMessage('api', 'port', config.api.port, 'PORT'));
  if (config.temporal.embeddedServer) {
    const cli = await resolveTemporalCli({ cliPath: config.temporal.cliPath });
    console.log(`Starting the Temporal dev server (${cli.path})…`);
    devServer = await startDevServer({
      cliPath: cli.path,
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      dbFile: config.temporal.dbFile,
      namespace: config.temporal.namespace,
      processGroup: true,
      // The UI decodes encrypted payloads through the API (shown only when PAYLOAD_ENCRYPTION_KEYS is set).
      ...((config.security.payloadEncryptionKeys || config.security.payloadDecryptOnlyKeys) && { codecEndpoint: codecEndpointOf(config) }),
    });
    devServer.process.once('exit', (code, signal) => {
      if (!stopping) {
        console.error(`Temporal dev server exited unexpectedly (${signal ?? code}); stopping everything`);
        void stopAll(1);
      }
    });
  }
  startChild('worker', 'workers/main.ts');
  startChild('api', 'api/main.ts', (message) => {
    const listening = (message as { listening?: unknown } | null)?.listening;
    if (typeof listening === 'string') printBanner(config, listening.replace('//0.0.0.0:', '//127.0.0.1:'));
  });
}

main().catch(async (error: Error) => {
  console.error(
    error instanceof StartupProblem ? error.message : error instanceof DevServerPortInUseError ? devServerPortInUseMessage(error) : error.message,
  );
  await stopAll(1);
});
