/** `npm run dev-server`: a persistent Temporal dev server with the project's search attributes. */
import { loadConfigOrExit } from '../shared/config';
import { codecEndpointOf, DevServerPortInUseError, devServerPortInUseMessage, startDevServer } from './temporal/dev-server';
import { resolveTemporalCli } from './temporal/temporal-cli';

async function main() {
  const config = loadConfigOrExit();
  const cli = await resolveTemporalCli({ cliPath: config.temporal.cliPath });
  const server = await startDevServer({
    cliPath: cli.path,
    port: config.temporal.port,
    uiPort: config.temporal.uiPort,
    dbFile: config.temporal.dbFile,
    namespace: config.temporal.namespace,
    output: 'inherit',
    // The UI decodes encrypted payloads through the API (shown only when PAYLOAD_ENCRYPTION_KEYS is set).
    ...((config.security.payloadEncryptionKeys || config.security.payloadDecryptOnlyKeys) && { codecEndpoint: codecEndpointOf(config) }),
  });
  const exited = (code: number | null) => {
    console.error(`Temporal dev server exited (${code})`);
    process.exit(code || 1);
  };
  if (server.process.exitCode !== null) return exited(server.process.exitCode);
  server.process.once('exit', exited);
  console.log(`Temporal dev server: ${server.address} (state in ${config.temporal.dbFile})`);
  console.log(`Temporal UI:         ${server.uiUrl}`);
  const stop = async () => {
    server.process.off('exit', exited);
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(error instanceof DevServerPortInUseError ? devServerPortInUseMessage(error) : error.message);
  process.exit(1);
});
