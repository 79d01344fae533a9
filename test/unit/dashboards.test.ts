import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApiObservability } from '../../api/observability';
import { AnalysisCache } from '../../shared/adapters/analysis-cache';
import { loadConfig } from '../../shared/config';
import { createLogger } from '../../shared/adapters/logging/logger';
import { OperationModeClient } from '../../shared/adapters/operation-mode-client';
import { MemoryGateStore } from '../../shared/adapters/gate-store';
import { metricNamesIn, metricOfLabelValuesQuery } from '../helpers/promql';
import { WORKER_SERIES } from '../helpers/worker-series';

/**
 * The Grafana dashboards in deploy/grafana/dashboards: valid JSON Grafana can load, and every query
 * names only series this code exports: the API's from its prom-client registry, the workers' from the
 * list the observability integration test proves against a real worker scrape.
 */

const root = path.resolve(__dirname, '../..');
const dashboardDir = path.join(root, 'deploy/grafana/dashboards');

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid?: string;
  title?: string;
  panels?: Panel[];
  templating?: { list?: { query?: string | { query?: string } }[] };
}

const loadDashboard = (file: string): Dashboard => JSON.parse(fs.readFileSync(path.join(dashboardDir, file), 'utf8')) as Dashboard;
const panelsOf = (dashboard: Dashboard): Panel[] => (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queriesOf = (dashboard: Dashboard): { where: string; expr: string }[] =>
  panelsOf(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `${dashboard.uid} / ${panel.title} / ${target.refId}`, expr: target.expr ?? '' })));

/** Exported series names of a prom-client registry: histograms and summaries as their _bucket/_sum/_count series. */
async function apiSeriesNames(): Promise<Set<string>> {
  const config = loadConfig({ CACHE_DISK_ENABLED: 'false', LLM_PROVIDERS: 'local' });
  // A client that never connects: the registry is only listed, never collected.
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const cache = AnalysisCache.fromConfig(config, () => {});
  const { registry } = createApiObservability({
    config,
    cache,
    modes: new OperationModeClient(client, config),
    gates: new MemoryGateStore(),
    log: createLogger({ name: 'api', level: 'silent' }),
  });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  await cache.close();
  return names;
}

describe('Grafana dashboards', () => {
  const files = fs.readdirSync(dashboardDir).filter((file) => file.endsWith('.json'));
  let exported: Set<string>;
  before(async () => {
    exported = new Set([...(await apiSeriesNames()), ...WORKER_SERIES]);
  });

  it('are the service dashboard and the Temporal SDK dashboard', () => {
    assert.deepEqual(files.sort(), ['llm-analysis.json', 'temporal-sdk.json']);
  });

  for (const file of ['llm-analysis.json', 'temporal-sdk.json']) {
    describe(file, () => {
      const dashboard = loadDashboard(file);

      it('has a uid, a title, unique panel ids, a grid position for every panel and the provisioned data source', () => {
        assert.ok(dashboard.uid && dashboard.title);
        const panels = panelsOf(dashboard);
        assert.ok(panels.length > 5);
        assert.equal(new Set(panels.map((panel) => panel.id)).size, panels.length, 'duplicate panel ids');
        for (const panel of panels) {
          assert.ok(panel.gridPos && panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title}: grid position`);
          if (panel.type === 'row') continue;
          assert.ok((panel.targets ?? []).length > 0, `${panel.title} has no query`);
          for (const source of [panel.datasource, ...(panel.targets ?? []).map((target) => target.datasource)]) {
            assert.equal(source?.uid, 'prometheus', `${panel.title}: data source`);
          }
        }
      });

      it('queries only series the API registry or a real worker scrape exports', () => {
        const unknown: string[] = [];
        for (const { where, expr } of queriesOf(dashboard)) {
          const names = metricNamesIn(expr);
          assert.ok(names.length > 0, `${where}: no metric in ${expr}`);
          unknown.push(...names.filter((name) => !exported.has(name)).map((name) => `${where}: ${name}`));
        }
        for (const variable of dashboard.templating?.list ?? []) {
          const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
          const metric = metricOfLabelValuesQuery(query);
          assert.ok(metric, `template query ${query}`);
          if (!exported.has(metric)) unknown.push(`template: ${metric}`);
        }
        assert.deepEqual(unknown, []);
      });
    });
  }

  it('the service dashboard shows jobs/s, job latency, provider errors by type, circuits, tokens/min, cache hit ratio and mode', () => {
    const exprs = queriesOf(loadDashboard('llm-analysis.json')).map((query) => query.expr);
    const shown = (pattern: RegExp) => exprs.some((expr) => pattern.test(expr));
    assert.ok(shown(/rate\(temporal_workflow_completed_total\{workflow_type="analyzeDocument"\}/), 'jobs/s');
    assert.ok(shown(/histogram_quantile\(.*temporal_workflow_endtoend_latency_seconds_bucket\{workflow_type="analyzeDocument"\}/), 'job latency');
    assert.ok(shown(/sum by \(provider, outcome\) \(rate\(llm_analysis_provider_attempts_total\{outcome!="success"\}/), 'errors by type');
    assert.ok(shown(/llm_analysis_provider_circuit_state/), 'circuit state');
    assert.ok(shown(/rate\(llm_analysis_provider_tokens_total.*\* 60/), 'tokens/min');
    assert.ok(shown(/llm_analysis_cache_lookups_total\{result="hit"\}.*\/.*llm_analysis_cache_lookups_total/), 'cache hit ratio');
    assert.ok(shown(/llm_analysis_operation_mode/), 'mode');
  });
});

describe('PromQL metric names (test helper)', () => {
  it('finds metrics, not functions, labels, strings, ranges or variables', () => {
    assert.deepEqual(
      metricNamesIn('histogram_quantile(0.95, sum by (le, provider) (rate(a_bucket{state="open", x=~"b_c"}[$__rate_interval]))) / on (provider) group_left b_total * 60'),
      ['a_bucket', 'b_total'],
    );
    assert.equal(metricOfLabelValuesQuery('label_values(temporal_num_pollers, task_queue)'), 'temporal_num_pollers');
  });
});
