import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The repository's own eslint.config.mjs, run on sources held in memory. lintText lints the text as if it
 * stood at `filePath`, so the path decides which rules apply; the workflow sample borrows the path of a
 * real workflow because the type-aware rule (no-floating-promises) needs a file the tsconfig project knows.
 */
const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function problemsOf(source: string, relativePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, relativePath) });
  return result!.messages.map((message) => `${message.line} ${message.ruleId ?? message.message}`);
}

const OUTSIDE_IMPORTS = [
  "import fs from 'node:fs';",
  "import { createHash } from 'crypto';",
  "import { openDocumentStore } from '../shared/adapters/documents/open-document-store';",
  "import { loadConfig } from '../shared/config';",
  "import { Client } from '@temporalio/client';",
  "import { Pool } from 'pg';",
  "import * as activities from '../activities';",
];

const FLAGGED_LINES = [1, 2, 3, 4, 5, 6, 7].map((line) => `${line} @typescript-eslint/no-restricted-imports`);

describe('lint: the boundary between the bundle-safe core and the adapters', function () {
  this.timeout(60_000);

  it('rejects Node built-ins, adapters, config values, I/O packages and activity values in a workflow, and a floating promise', async () => {
    const source = [
      ...OUTSIDE_IMPORTS,
      "import { sleep } from '@temporalio/workflow';",
      'export async function probe(): Promise<unknown[]> {',
      '  sleep(1_000);',
      '  return [fs, createHash, openDocumentStore, loadConfig, Client, Pool, activities];',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(await problemsOf(source, 'workflows/health-check.ts'), [
      ...FLAGGED_LINES,
      '10 @typescript-eslint/no-floating-promises',
    ]);
  });

  it('rejects the same imports, require() and import() in the core', async () => {
    const source = [
      ...OUTSIDE_IMPORTS,
      "const path = require('node:path');",
      "export const later = () => import('node:os');",
      'export const all = [fs, createHash, openDocumentStore, loadConfig, Client, Pool, activities, path];',
      '',
    ].join('\n');
    assert.deepEqual(await problemsOf(source, 'shared/core/boundary-probe.ts'), [
      ...FLAGGED_LINES,
      '8 @typescript-eslint/no-require-imports',
      '9 no-restricted-syntax',
    ]);
  });

  it('passes a workflow that imports the core, config types and activities type-only, and awaits its timers', async () => {
    const source = [
      "import { proxyActivities, sleep } from '@temporalio/workflow';",
      "import type { Activities } from '../activities';",
      "import type { AppConfig } from '../shared/config';",
      "import { SEARCH_ATTRIBUTES } from '../shared/core/names';",
      "const { planProviderChain } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });",
      'export async function probe(settings?: AppConfig): Promise<unknown> {',
      '  await sleep(1_000);',
      '  return [await planProviderChain(), SEARCH_ATTRIBUTES, settings];',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(await problemsOf(source, 'workflows/health-check.ts'), []);
  });

  it('leaves the adapters, activities and processes free to use Node and I/O packages', async () => {
    for (const file of ['shared/adapters/documents/open-document-store.ts', 'activities/index.ts', 'api/main.ts']) {
      const config = (await eslint.calculateConfigForFile(path.join(root, file))) as { rules?: Record<string, unknown> } | undefined;
      assert.equal(config?.rules?.['@typescript-eslint/no-restricted-imports'], undefined, file);
    }
  });
});
