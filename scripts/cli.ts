/** `npm run cli -- <command>`: a command-line client for the analysis HTTP API (usage: scripts/cli/usage.ts). */
import { processIo } from './cli/io';
import { runCli } from './cli/run';

void runCli(process.argv.slice(2), process.env, processIo()).then((code) => {
  process.exitCode = code;
});
