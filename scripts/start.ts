/** `npm start`: dev server (unless TEMPORAL_ADDRESS is set), one worker and the API, stopped together by Ctrl-C. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfigOrExit } from '../shared/config';
import { codecEndpointOf, startDevServer, type RunningDevServer } from './temporal/dev-server';
import { resolveTemporalCli } from './temporal/temporal-cli';

const ROOT = path.resolve(__dirname, '..');

function startChild(name: string, entry: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: process.cwd(),
    env: process.env,
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited unexpectedly (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  return child;
}

let stopping = false;
let devServer: RunningDevServer | undefined;
const children: ChildProcess[] = [];

async function stopAll(exitCode: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await devServer?.stop();
  process.exit(exitCode);
}

async function main() {
  const config = loadConfigOrExit();
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  if (config.temporal.embeddedServer) {
    const cli = await resolveTemporalCli({ cliPath: config.temporal.cliPath });
    console.log(`Starting the Temporal dev server (${cli.path})…`);
    devServer = await startDevServer({
      cliPath: cli.path,
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      dbFile: config.temporal.dbFile,
      namespace: config.temporal.namespace,
      // The UI decodes encrypted payloads through the API (shown only when PAYLOAD_ENCRYPTION_KEYS is set).
      ...((config.security.payloadEncryptionKeys || config.security.payloadDecryptOnlyKeys) && { codecEndpoint: codecEndpointOf(config) }),
    });
  }
  children.push(startChild('worker', 'workers/main.ts'), startChild('api', 'api/main.ts'));
  console.log('');
  console.log(`  API:          http://${config.api.host}:${config.api.port}/api`);
  console.log(`  Temporal UI:  ${config.temporal.uiUrl}`);
  console.log('  Ctrl-C stops everything.');
  console.log('');
}

main().catch(async (error: Error) => {
  console.error(error.message);
  await stopAll(1);
});
