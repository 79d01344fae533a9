import assert from 'node:assert/strict';
import net from 'node:net';
import { isAddressInUse, isPortInUse, portInUseMessage } from '../../shared/adapters/startup-problem';
import { retryUntilReachable, temporalUnreachableMessage } from '../../shared/adapters/temporal-reachability';
import { collidedOnPortItPicked, DevServerPortInUseError, devServerPortInUseMessage, portInUseReportedBy } from '../../scripts/temporal/dev-server';

describe('startup problems, in one line each', () => {
  it('a port in use names the process, the port and the variable that moves it', () => {
    assert.equal(portInUseMessage('api', 'port', 3000, 'PORT'), 'api: port 3000 is in use (set PORT to another port)');
    assert.equal(
      devServerPortInUseMessage(new DevServerPortInUseError('frontend', 7233)),
      'temporal dev server: frontend port 7233 is in use (set TEMPORAL_PORT to another port, or set TEMPORAL_ADDRESS=127.0.0.1:7233 to use a Temporal server already running there)',
    );
    assert.equal(devServerPortInUseMessage(new DevServerPortInUseError('ui', 8233)), 'temporal dev server: UI port 8233 is in use (set TEMPORAL_UI_PORT to another port)');
  });

  it("reads the Temporal CLI's own report of a port it could not bind", () => {
    const stderr = `time=2026-11-30T01:51:53.740 level=ERROR msg="can't set frontend port 17233: listen tcp 127.0.0.1:17233: bind: address already in use"`;
    assert.deepEqual(portInUseReportedBy(stderr), { which: 'frontend', port: 17233 });
    assert.deepEqual(portInUseReportedBy(`msg="can't set UI port 8233: listen tcp 127.0.0.1:8233: bind: address already in use"`), { which: 'ui', port: 8233 });
    assert.equal(portInUseReportedBy('level=WARN msg="something else"'), undefined);
  });

  it('tells a port the Temporal CLI picked itself and lost (worth another start) from a port the caller chose', () => {
    const httpApi = 'failed listening for HTTP API on 127.0.0.1:37139: listen tcp 127.0.0.1:37139: bind: address already in use';
    assert.equal(collidedOnPortItPicked(httpApi, [7233, undefined, 9090]), true);
    assert.equal(collidedOnPortItPicked(httpApi, [7233, 37139]), false);
    assert.equal(collidedOnPortItPicked('level=ERROR msg="failed starting server: unrelated"', [7233]), false);
  });

  it('recognizes "address in use" from Node and from the Temporal Core runtime', () => {
    assert.ok(isAddressInUse(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })));
    assert.ok(isAddressInUse(new Error('Failed to start prometheus metrics exporter: Address already in use (os error 98)')));
    assert.ok(!isAddressInUse(new Error('permission denied')));
  });

  it('finds a port someone listens on, and a free one', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    assert.equal(await isPortInUse('127.0.0.1', port), true);
    await new Promise((resolve) => server.close(resolve));
    assert.equal(await isPortInUse('127.0.0.1', port), false);
  });

  it('no Temporal: the line names the address and what to run, or what to check when TEMPORAL_ADDRESS is set', () => {
    const embedded = temporalUnreachableMessage({ address: '127.0.0.1:7233', embeddedServer: true }, 'waiting for it');
    assert.equal(embedded, 'no Temporal server answers at 127.0.0.1:7233: start one with `npm run dev-server` (or run everything with `npm start`), or set TEMPORAL_ADDRESS to a running server; waiting for it');
    assert.match(temporalUnreachableMessage({ address: 'temporal:7233', embeddedServer: false }, 'x'), /^no Temporal server answers at temporal:7233: check that the server in TEMPORAL_ADDRESS runs/);
  });

  it('retries until the connection succeeds, saying so once, and stops waiting when told to', async () => {
    let calls = 0;
    const said: number[] = [];
    const connected = await retryUntilReachable(
      async () => {
        if (++calls < 3) throw new Error('refused');
        return 'connection';
      },
      { retryIntervalMs: 1, onUnreachable: (_error, attempts) => said.push(attempts) },
    );
    assert.equal(connected, 'connection');
    assert.equal(calls, 3);
    assert.deepEqual(said, [1], 'one line, not one per attempt');

    const stop = new AbortController();
    const waiting = retryUntilReachable(() => Promise.reject(new Error('refused')), { retryIntervalMs: 60_000, onUnreachable: () => {}, signal: stop.signal });
    stop.abort();
    assert.equal(await waiting, undefined);
  });
});
