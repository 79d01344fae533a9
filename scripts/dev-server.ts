/** `npm run dev-server`: a persistent Temporal dev server with the project's search attributes. */
import { loadConfigOrExit } from '../shared/config';
import { codecEndpointOf, startDevServer } from './temporal/dev-server';
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
  console.log(`Temporal dev server: ${server.address} (state in ${config.temporal.dbFile})`);
  console.log(`Temporal UI:         ${server.uiUrl}`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  server.process.once('exit', (code) => {
    console.error(`Temporal dev server exited (${code})`);
    process.exit(code ?? 1);
  });
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
