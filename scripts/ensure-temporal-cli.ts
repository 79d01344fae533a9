/** `npm run temporal-cli`: finds, builds or downloads the Temporal CLI and prints its path (used by .ci/run). */
import { loadConfigOrExit } from '../shared/config';
import { resolveTemporalCli } from './temporal/temporal-cli';

resolveTemporalCli({ cliPath: loadConfigOrExit().temporal.cliPath })
  .then((cli) => {
    console.error(`Temporal CLI (${cli.source}): ${cli.path}`);
    console.log(cli.path);
  })
  .catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
