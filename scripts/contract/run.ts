/**
 * `npm run test:contract`: Schemathesis against a real API (dev server, worker and API, as the
 * integration tests start them) with a client key and with an admin key, each for a bounded time.
 * Passes when Schemathesis finds no response that breaks the OpenAPI document and the API counted no 5xx.
 * Prints per key: requests the API answered (its own /metrics), 5xx among them, Schemathesis's verdict.
 * Schemathesis's own report goes to a log file, printed in full only for a pass that fails: its banner
 * ("=== No issues found in 19.02s ===") has the shape of pytest's closing line, and CI reads that shape
 * as a run that executed no test.
 */
import { spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getTestStack, stopTestStack } from '../../test/helpers/stack';
import { ensureSchemathesis } from './schemathesis';

const CLIENT_KEY = `contract-client-${randomUUID()}`;
const ADMIN_KEY = `contract-admin-${randomUUID()}`;
const SEED = Number(process.env.CONTRACT_SEED ?? randomInt(2 ** 31));
/** Seconds per pass; the whole run stays within a few minutes on two cores. */
const BUDGET_SECONDS = Number(process.env.CONTRACT_SECONDS ?? 75);
const LOG_DIR = path.join(os.tmpdir(), `contract-${SEED}`);

/**
 * Every Schemathesis check but one: positive_data_acceptance expects every schema-valid body to be
 * accepted, and an override's `expiresAt` must also lie in the future, a rule JSON Schema cannot state.
 */
const CHECKS = ['--checks', 'all', '--exclude-checks', 'positive_data_acceptance'];

/** Admin writes change the operation mode, which changes other routes' answers: they get a pass of their own, last. */
const MODE_WRITES = '^/api/operation-mode';

interface Pass {
  name: string;
  key: string;
  seconds: number;
  filter: string[];
}

const PASSES: Pass[] = [
  { name: 'client key', key: CLIENT_KEY, seconds: BUDGET_SECONDS, filter: [] },
  { name: 'admin key', key: ADMIN_KEY, seconds: Math.round(BUDGET_SECONDS * 0.75), filter: ['--exclude-path-regex', MODE_WRITES] },
  { name: 'admin key, operation-mode routes', key: ADMIN_KEY, seconds: Math.round(BUDGET_SECONDS * 0.25), filter: ['--include-path-regex', MODE_WRITES] },
];

/** Requests the API answered so far, by status code, from its own request histogram. */
async function answeredByStatus(apiUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/^http_request_duration_seconds_count\{[^}]*status_code="(\d+)"[^}]*\} (\d+)/gm)) {
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + Number(match[2]));
  }
  return counts;
}

interface Seeds {
  documentId: string;
  jobId: string;
  batchId: string;
}

/** Real ids for half of the path parameters, so the fuzzer also reaches what exists, not only 404s. */
async function seed(apiUrl: string): Promise<Seeds> {
  const post = async (urlPath: string, json: unknown) => {
    const response = await fetch(`${apiUrl}${urlPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
    if (!response.ok) throw new Error(`seeding: POST ${urlPath} answered ${response.status}`);
    return (await response.json()) as Record<string, string>;
  };
  const { id: documentId } = await post('/api/documents', { content: `Acme Corporation opens an office in Lisbon (${randomUUID()}). Customers love it.` });
  const { jobId } = await post('/api/analyze', { documentId });
  await fetch(`${apiUrl}/api/jobs/${jobId}?wait=20`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
  const { batchId } = await post('/api/analyze/batch', { documentIds: [documentId] });
  return { documentId: documentId!, jobId: jobId!, batchId: batchId! };
}

function configFile(seeds: Seeds): string {
  const bindings: [string, string, string][] = [
    ['/api/documents/{id}', 'documents', seeds.documentId],
    ['/api/jobs/{id}', 'jobs', seeds.jobId],
    ['/api/jobs/{id}/events', 'jobs', seeds.jobId],
    ['/api/batches/{id}', 'batches', seeds.batchId],
  ];
  const dictionaries = [...new Map(bindings.map(([, name, value]) => [name, value]))].map(([name, value]) => `[dictionaries.${name}]\nvalues = [${JSON.stringify(value)}]\n`);
  const operations = bindings.map(([operationPath, name]) => `[[operations]]\ninclude-path = ${JSON.stringify(operationPath)}\nparameters = { "path.id" = { dictionary = "${name}", probability = 0.5 } }\n`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'contract-')), 'schemathesis.toml');
  fs.writeFileSync(file, [...dictionaries, ...operations].join('\n'));
  return file;
}

function schemathesis(st: string, apiUrl: string, pass: Pass, config: string): Promise<{ exitCode: number; output: string }> {
  const args = [
    '--config-file', config,
    'run', `${apiUrl}/api/openapi.json`,
    '--url', apiUrl,
    '--header', `Authorization: Bearer ${pass.key}`,
    ...CHECKS,
    '--phases', 'examples,coverage,fuzzing',
    '--max-time', String(pass.seconds),
    '--seed', String(SEED),
    // One worker: Hypothesis parses lambdas with `ast` from several threads at once, which CPython 3.11 can crash on.
    '--workers', '1',
    '--request-timeout', '30',
    '--suppress-health-check', 'all',
    ...pass.filter,
  ];
  return new Promise((resolve, reject) => {
    // Run where its config lives: Schemathesis keeps a cache directory in its working directory.
    const child = spawn(st, args, { cwd: path.dirname(config), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

/** The "N generated, N passed" figures under "Test cases:" in Schemathesis's summary. */
function summaryOf(output: string): string {
  const lines = output.split('\n');
  const heading = lines.findIndex((line) => /^Test cases:/.test(line.trim()));
  return heading >= 0 ? `test cases ${lines[heading + 1]?.trim() ?? ''}` : '(no summary)';
}

async function main() {
  const st = ensureSchemathesis();
  const stack = await getTestStack();
  const workers = await stack.startWorkers({
    TEMPORAL_TASK_QUEUE: `contract-${randomUUID()}`,
    API_KEYS: CLIENT_KEY,
    ADMIN_API_KEYS: ADMIN_KEY,
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  console.log(`contract: API at ${workers.apiUrl}, seed ${SEED} (CONTRACT_SEED=${SEED} replays it), ${BUDGET_SECONDS} s per key`);
  const config = configFile(await seed(workers.apiUrl));
  const rows: string[] = [];
  const outcomes: boolean[] = [];
  for (const pass of PASSES) {
    const before = await answeredByStatus(workers.apiUrl);
    const { exitCode, output } = await schemathesis(st, workers.apiUrl, pass, config);
    const after = await answeredByStatus(workers.apiUrl);
    // The first scrape is itself a request, counted once it has been answered.
    let requests = -1;
    let serverErrors = 0;
    for (const [status, count] of after) {
      const delta = count - (before.get(status) ?? 0);
      requests += delta;
      if (Number(status) >= 500) serverErrors += delta;
    }
    const passed = exitCode === 0 && serverErrors === 0;
    const log = path.join(LOG_DIR, `${pass.name.replace(/\W+/g, '-')}.log`);
    fs.writeFileSync(log, output);
    if (!passed) process.stdout.write(`\n--- schemathesis, ${pass.name} ---\n${output}\n`);
    outcomes.push(passed);
    rows.push(`${pass.name}: ${requests} requests answered, ${serverErrors} 5xx; schemathesis exit ${exitCode}, ${summaryOf(output)}; report ${log}`);
  }
  console.log(`\ncontract (seed ${SEED}):\n${rows.map((row) => `  ${row}`).join('\n')}`);
  const failedPasses = outcomes.filter((passed) => !passed).length;
  console.log(`contract: ${PASSES.length - failedPasses} passed, ${failedPasses} failed`);
  fs.rmSync(path.dirname(config), { recursive: true, force: true });
  await stopTestStack();
  process.exit(failedPasses > 0 ? 1 : 0);
}

main().catch(async (error) => {
  console.error(error);
  await stopTestStack();
  process.exit(1);
});
