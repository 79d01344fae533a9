/**
 * The embedded server on a SQLite file, as `npm start` runs it: its visibility table keeps the indexes
 * that lists filter on (and those of registered search attributes), lists still answer on a column whose
 * index was dropped, and a search attribute registered later gets its index at the next start.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { startDevServer, type RunningDevServer } from '../../scripts/temporal/dev-server';
import { resolveTemporalCli } from '../../scripts/temporal/temporal-cli';
import { visibilityIndexesOf } from '../../scripts/temporal/visibility-indexes';
import { waitFor } from '../helpers/http';
import { freePort } from '../helpers/ports';

describe('embedded server: visibility indexes on its SQLite file', function () {
  this.timeout(120_000);
  const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-visibility-')), 'temporal.db');
  let server: RunningDevServer | undefined;
  let connection: Connection | undefined;

  const start = async () => {
    const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
    server = await startDevServer({ cliPath: cli.path, port: await freePort(), uiPort: await freePort(), namespace: 'default', headless: true, dbFile });
    connection = await Connection.connect({ address: server.address });
    return new Client({ connection });
  };
  const stop = async () => {
    await connection?.close();
    await server?.stop();
    connection = undefined;
    server = undefined;
  };
  afterEach(stop);

  /** Indexed column → index name, from the file itself. */
  const indexedColumns = (): Map<string, string> => {
    const db = new Database(dbFile, { readonly: true });
    try {
      return new Map(visibilityIndexesOf(db).map(({ name, column }) => [column ?? '(default order)', name]));
    } finally {
      db.close();
    }
  };
  /** The ids a list query answers with, once it answers with any (visibility follows a change shortly after). */
  const listedOnceVisible = (client: Client, query: string) =>
    waitFor(
      async () => {
        const ids: string[] = [];
        for await (const run of client.workflow.list({ query })) ids.push(run.workflowId);
        return ids;
      },
      (ids) => ids.length > 0,
      20_000,
    );
  const aliasesOf = async (client: Client) =>
    (await client.workflowService.describeNamespace({ namespace: 'default' })).config?.customSearchAttributeAliases ?? {};

  it('keeps the indexes lists filter on and those of registered search attributes; lists still answer on the others', async () => {
    const client = await start();
    const aliases = await aliasesOf(client);
    const columns = indexedColumns();
    for (const column of ['(default order)', 'workflow_id', 'workflow_type_name', 'status', 'task_queue', 'TemporalNamespaceDivision', 'TemporalWorkerDeploymentVersion']) {
      assert.ok(columns.has(column), `${column} keeps its index`);
    }
    for (const [column, alias] of Object.entries(aliases)) assert.ok(columns.has(column), `${column} (${alias}) keeps its index`);
    for (const column of ['history_length', 'execution_duration', 'Int01', 'Bool01']) assert.ok(!columns.has(column), `${column} has no index`);
    assert.ok(columns.size < 25, `${columns.size} indexes of the schema's 45`);

    const workflowId = `visibility-${randomUUID()}`;
    await client.workflow.start('noWorkerPollsThis', { taskQueue: `nobody-${randomUUID()}`, workflowId });
    await client.workflow.getHandle(workflowId).terminate();
    const listed = await listedOnceVisible(client, `WorkflowId = '${workflowId}' AND HistoryLength > 0`);
    assert.deepEqual(listed, [workflowId], 'a filter on a column without an index still answers');
  });

  it('gives a search attribute registered later its index at the next start, and lists by it', async () => {
    const client = await start();
    const ticket = defineSearchAttributeKey('TicketNumber', SearchAttributeType.INT);
    await client.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { [ticket.name]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT },
    });
    const column = Object.entries(await aliasesOf(client)).find(([, alias]) => alias === ticket.name)?.[0];
    assert.match(column ?? '', /^Int0\d$/);
    assert.ok(!indexedColumns().has(column!), 'registered while the server runs: no index yet');
    await stop();

    const restarted = await start();
    assert.ok(indexedColumns().has(column!), `${column} (${ticket.name}) has its index after the restart`);
    const workflowId = `ticket-${randomUUID()}`;
    await restarted.workflow.start('noWorkerPollsThis', { taskQueue: `nobody-${randomUUID()}`, workflowId, typedSearchAttributes: [{ key: ticket, value: 42 }] });
    const listed = await listedOnceVisible(restarted, `${ticket.name} = 42`);
    assert.deepEqual(listed, [workflowId]);
    await restarted.workflow.getHandle(workflowId).terminate();
  });
});
