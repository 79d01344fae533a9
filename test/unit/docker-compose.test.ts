import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../shared/config';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../scripts/temporal/dev-server';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../shared/core/names';

/** docker-compose.yml checked against the config module and the shared names; nothing here needs Docker. */

const root = path.resolve(__dirname, '../..');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { published?: string | number; target?: number })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  container_name?: string;
  stop_grace_period?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * Compose's interpolation for a host without an .env file: `$$` is a literal `$`, `${VAR:-default}`
 * becomes its default, and a variable without a default becomes empty (and is listed).
 */
function interpolateWithDefaults(text: string): { text: string; withoutDefault: string[] } {
  const withoutDefault: string[] = [];
  const interpolated = text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      if (fallback !== undefined) return fallback;
      withoutDefault.push(braced ?? bare ?? match);
      return '';
    },
  );
  return { text: interpolated, withoutDefault };
}

function loadCompose(): { compose: ComposeFile; withoutDefault: string[] } {
  const { text, withoutDefault } = interpolateWithDefaults(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'));
  return { compose: parse(text, { merge: true }) as ComposeFile, withoutDefault };
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => {
      const at = entry.indexOf('=');
      return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** Published ports as {host, container}, from the short (`[ip:]host:container[/proto]`) or long syntax. */
function publishedPorts(service: ComposeService): { host: number; container: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { host: Number(port.published), container: Number(port.target) };
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    return { host: Number(parts.at(-2)), container: Number(parts.at(-1)) };
  });
}

/** Volume mounts as {source, target}, from the short (`source:target[:mode]`) or long syntax. */
function mounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'object') return { source: volume.source ?? '', target: volume.target ?? '' };
    const [source = '', target = ''] = volume.split(':');
    return { source, target };
  });
}

function dependencies(service: ComposeService): Record<string, string> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(dependsOn).map(([name, value]) => [name, value.condition ?? 'service_started']));
}

function packageScripts(): Record<string, string> {
  return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
}

function commandLine(command: string | string[] | undefined): string {
  return Array.isArray(command) ? command.join(' ') : (command ?? '');
}

/** Seconds of a compose duration such as `60s`, `1m30s`. */
function seconds(duration: string | undefined): number {
  let total = 0;
  for (const [, amount, unit] of (duration ?? '').matchAll(/(\d+)(h|m|s)/g)) {
    total += Number(amount) * { h: 3600, m: 60, s: 1 }[unit as 'h' | 'm' | 's'];
  }
  return total;
}

describe('docker-compose.yml', () => {
  let compose: ComposeFile;
  let withoutDefault: string[];
  before(() => {
    ({ compose, withoutDefault } = loadCompose());
  });
  const defaults = loadConfig({});
  const service = (name: string): ComposeService => {
    const found = compose.services[name];
    assert.ok(found, `service "${name}" is missing`);
    return found;
  };
  /** One-shot services: something waits for them to complete rather than to be healthy. */
  const initServices = () =>
    new Set(
      Object.values(compose.services).flatMap((s) =>
        Object.entries(dependencies(s)).filter(([, condition]) => condition === 'service_completed_successfully').map(([name]) => name),
      ),
    );
  const searchAttributeInit = (): [string, ComposeService] => {
    const found = Object.entries(compose.services).find(([, s]) => commandLine(s.entrypoint).includes('search-attribute create'));
    assert.ok(found, 'no service registers search attributes');
    return found;
  };
  const appServices = ['api', 'worker'] as const;
  /** Where api and worker keep documents, from their DATABASE_URL. */
  const documentsDatabase = () => {
    const url = new URL(environmentOf(service('api')).DATABASE_URL ?? '');
    assert.match(url.protocol, /^postgres(ql)?:$/);
    return { service: url.hostname, database: url.pathname.slice(1), user: decodeURIComponent(url.username) };
  };

  it('gives every interpolated variable a default, so it runs without an .env file', () => {
    assert.deepEqual(withoutDefault, []);
  });

  it('defines postgresql, temporal, temporal-ui, redis, api, worker, prometheus and grafana', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'redis', 'api', 'worker', 'prometheus', 'grafana']) service(name);
  });

  it('gives every service except one-shot init services a healthcheck', () => {
    const oneShot = initServices();
    const [initName] = searchAttributeInit();
    assert.ok(oneShot.has(initName), 'the search-attribute init is awaited with service_completed_successfully');
    for (const [name, s] of Object.entries(compose.services)) {
      if (oneShot.has(name)) continue;
      assert.ok(s.healthcheck?.test && s.healthcheck.test.length > 0 && !s.healthcheck.disable, `service "${name}" has no healthcheck`);
    }
  });

  it('keeps the worker scalable: no container_name and no published ports', () => {
    const worker = service('worker');
    assert.equal(worker.container_name, undefined);
    assert.deepEqual(worker.ports ?? [], []);
  });

  it('gives a stopping worker time to drain in-flight activities', () => {
    const worker = service('worker');
    const drainSeconds = loadConfig(environmentOf(worker)).worker.shutdownGraceMs / 1000;
    assert.ok(seconds(worker.stop_grace_period) > drainSeconds, `worker stop_grace_period is not above the worker's own drain time (${drainSeconds} s)`);
  });

  it('publishes the API on the config default port and binds it to all interfaces', () => {
    const api = service('api');
    const env = environmentOf(api);
    assert.equal(env.PORT, String(defaults.api.port));
    assert.equal(env.HOST, '0.0.0.0');
    assert.deepEqual(publishedPorts(api), [{ host: defaults.api.port, container: defaults.api.port }]);
    assert.match(commandLine(api.healthcheck?.test), new RegExp(`http://127\\.0\\.0\\.1:${env.PORT}/api/health/live`));
  });

  it('publishes the Temporal UI on the config default UI port, where job links point', () => {
    const [ui] = publishedPorts(service('temporal-ui'));
    assert.equal(ui?.host, defaults.temporal.uiPort);
    for (const name of appServices) {
      assert.equal(Number(new URL(environmentOf(service(name)).TEMPORAL_UI_URL ?? '').port), defaults.temporal.uiPort, name);
    }
  });

  it('has the Temporal UI reach the codec under the API\'s TEMPORAL_UI_CODEC_TOKEN path (its browser cannot send an API key)', () => {
    const raw = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
    const endpoint = environmentOf(raw.services['temporal-ui']!).TEMPORAL_CODEC_ENDPOINT ?? '';
    const api = new URL(environmentOf(service('api')).TEMPORAL_UI_URL ?? '');
    assert.match(endpoint, new RegExp(`^http://${api.hostname}:${defaults.api.port}/codec/ui/\\$\\{TEMPORAL_UI_CODEC_TOKEN(:-)?\\}$`));
    assert.equal(environmentOf(raw.services.api!).TEMPORAL_UI_CODEC_TOKEN, '${TEMPORAL_UI_CODEC_TOKEN:-}');
  });

  it('publishes the Temporal frontend on the config default port', () => {
    assert.deepEqual(publishedPorts(service('temporal')), [{ host: defaults.temporal.port, container: defaults.temporal.port }]);
  });

  it('sets only variables the config module reads on api and worker', () => {
    for (const name of appServices) {
      const unknown = Object.keys(environmentOf(service(name))).filter((key) => !(CONFIG_VARIABLES as string[]).includes(key));
      assert.deepEqual(unknown, [], `${name} sets variables shared/config.ts does not read`);
    }
  });

  it('points api and worker at the temporal and redis services and waits for them', () => {
    const [temporalPort] = publishedPorts(service('temporal'));
    service('redis');
    for (const name of appServices) {
      const s = service(name);
      const env = environmentOf(s);
      assert.equal(env.TEMPORAL_ADDRESS, `temporal:${temporalPort?.container}`, name);
      assert.equal(new URL(env.REDIS_URL ?? '').hostname, 'redis', name);
      const [initName] = searchAttributeInit();
      assert.deepEqual(dependencies(s), {
        temporal: 'service_healthy',
        redis: 'service_healthy',
        [documentsDatabase().service]: 'service_healthy',
        [initName]: 'service_completed_successfully',
      }, name);
    }
  });

  it('shares no volume between api and worker: documents are in Postgres, so workers may run on any host', () => {
    for (const name of appServices) assert.deepEqual(mounts(service(name)), [], `${name} mounts a volume`);
    assert.equal(environmentOf(service('api')).DATABASE_URL, environmentOf(service('worker')).DATABASE_URL);
  });

  it("keeps documents in a Postgres database of their own, not Temporal's, on a volume", () => {
    const { service: name, database, user } = documentsDatabase();
    const temporalEnv = environmentOf(service('temporal'));
    assert.notEqual(name, temporalEnv.POSTGRES_SEEDS, 'documents share the server of Temporal');
    const db = service(name);
    assert.match(db.image ?? '', /^postgres:/);
    const env = environmentOf(db);
    assert.equal(env.POSTGRES_DB, database);
    assert.equal(env.POSTGRES_USER, user);
    assert.notEqual(user, temporalEnv.POSTGRES_USER);
    const [mount] = mounts(db);
    assert.ok(mount && mount.source in (compose.volumes ?? {}), 'the documents database keeps no named volume');
  });

  it('registers exactly the search attributes of shared/core/names.ts, in the namespace the app uses', () => {
    const [, init] = searchAttributeInit();
    const env = environmentOf(init);
    const registered = (env.SEARCH_ATTRIBUTE_REGISTRATIONS ?? '').split(/\s+/).filter(Boolean);
    assert.deepEqual([...registered].sort(), [...SEARCH_ATTRIBUTE_REGISTRATIONS].sort());
    assert.match(commandLine(init.entrypoint), /for \w+ in \$SEARCH_ATTRIBUTE_REGISTRATIONS/);
    assert.equal(env.TEMPORAL_NAMESPACE, environmentOf(service('api')).TEMPORAL_NAMESPACE);
    assert.equal(environmentOf(service('temporal')).DEFAULT_NAMESPACE, environmentOf(service('api')).TEMPORAL_NAMESPACE);
    assert.equal(dependencies(init).temporal, 'service_healthy');
  });

  it('starts Temporal once PostgreSQL is healthy', () => {
    assert.equal(dependencies(service('temporal')).postgresql, 'service_healthy');
  });

  it('gives the Temporal server the dispatch settings the dev server runs with (deploy/temporal/dynamic-config.yaml)', () => {
    const temporal = service('temporal');
    const mount = (temporal.volumes ?? []).map(String).find((volume) => volume.startsWith('./deploy/temporal/dynamic-config.yaml:'));
    assert.ok(mount, 'the dynamic config file is mounted');
    const inContainer = mount.split(':')[1]!;
    assert.equal(path.posix.join('/etc/temporal', environmentOf(temporal).DYNAMIC_CONFIG_FILE_PATH ?? ''), inContainer);
    const file = parse(fs.readFileSync(path.resolve(__dirname, '../../deploy/temporal/dynamic-config.yaml'), 'utf8')) as Record<string, { value: unknown }[]>;
    const values = Object.fromEntries(Object.entries(file).map(([key, entries]) => [key, entries[0]!.value]));
    assert.deepEqual(values, DEV_SERVER_DYNAMIC_CONFIG);
  });

  it('hands api and worker an environment the config module accepts', () => {
    for (const name of appServices) {
      const config = loadConfig(environmentOf(service(name)));
      assert.equal(config.temporal.embeddedServer, false, name);
      assert.equal(config.dataDir, '/data', name);
      assert.ok(config.redisUrl, name);
      assert.ok(config.documents.databaseUrl, name);
    }
    assert.equal(loadConfig(environmentOf(service('api'))).api.host, '0.0.0.0');
  });

  it('runs Prometheus and Grafana provisioned only from files in this repository', () => {
    for (const name of ['prometheus', 'grafana']) {
      const fileMounts = mounts(service(name)).filter(({ source }) => source.startsWith('./'));
      assert.ok(fileMounts.length > 0, `${name} mounts nothing from the repository`);
      for (const { source } of fileMounts) assert.ok(fs.existsSync(path.join(root, source)), `${name} mounts ${source}, which does not exist`);
    }
  });

  it('has Prometheus scrape the API port and the metrics port of every worker replica', () => {
    const prometheus = parse(fs.readFileSync(path.join(root, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; metrics_path?: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; type?: string; port: number }[] }[];
    };
    const job = (name: string) => prometheus.scrape_configs.find((config) => config.job_name === name);
    assert.deepEqual(job('api')?.static_configs?.[0]?.targets, [`api:${environmentOf(service('api')).PORT}`]);
    assert.equal(job('api')?.metrics_path ?? '/metrics', '/metrics');
    // DNS discovery of the service name: one target per `--scale worker=N` replica, no fixed addresses.
    const workerEnv = environmentOf(service('worker'));
    const [discovery] = job('worker')?.dns_sd_configs ?? [];
    assert.deepEqual(discovery?.names, ['worker']);
    assert.equal(discovery?.port, Number(workerEnv.WORKER_METRICS_PORT));
    assert.equal(loadConfig(workerEnv).workerMetrics?.host, '0.0.0.0', 'the worker metrics endpoint is reachable from other containers');
    assert.ok(mounts(service('prometheus')).some(({ source, target }) => source === './deploy/prometheus/prometheus.yml' && target === '/etc/prometheus/prometheus.yml'));
  });

  it('gives Grafana the prometheus service as data source and loads the dashboards from the mounted folder', () => {
    const datasources = parse(fs.readFileSync(path.join(root, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const [prometheusSource] = datasources.datasources;
    assert.equal(prometheusSource?.type, 'prometheus');
    assert.equal(new URL(prometheusSource?.url ?? '').hostname, 'prometheus');
    assert.equal(prometheusSource?.uid, 'prometheus', 'the dashboards refer to this uid');
    const providers = parse(fs.readFileSync(path.join(root, 'deploy/grafana/provisioning/dashboards/dashboards.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const grafanaMounts = mounts(service('grafana'));
    assert.ok(grafanaMounts.some(({ source, target }) => source === './deploy/grafana/dashboards' && target === providers.providers[0]?.options.path));
    assert.ok(grafanaMounts.some(({ source, target }) => source === './deploy/grafana/provisioning' && target === '/etc/grafana/provisioning'));
    const published = publishedPorts(service('grafana')).map(({ host }) => host);
    assert.ok(!published.includes(defaults.api.port), 'Grafana and the API would both publish the same host port');
  });

  it('runs the package.json scripts as the api and worker commands', () => {
    const scripts = packageScripts();
    for (const name of appServices) assert.equal(commandLine(service(name).command), scripts[name], name);
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');

  it('runs a worker by default, as a non-root user', () => {
    const scripts = packageScripts();
    const cmd = [...dockerfile.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].at(-1)?.[1];
    assert.ok(cmd, 'no exec-form CMD');
    assert.equal((JSON.parse(cmd) as string[]).join(' '), scripts.worker);
    const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    assert.ok(user && user !== 'root' && user !== '0', 'the image runs as root');
  });

  it('keeps host-built node_modules and local data out of the build context', () => {
    const ignored = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
    for (const entry of ['node_modules', '.data', '.cache', '.git']) assert.ok(ignored.includes(entry), `.dockerignore lacks ${entry}`);
  });
});
