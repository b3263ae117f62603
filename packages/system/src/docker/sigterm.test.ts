// SIGTERM (docker stop / docker-compose stop): every container exits 0 well before the stop timeout and logs its
// close/shutdown lines.
import test from 'ava';
import path from 'node:path';
import {
  checkPrerequisites,
  clientNames,
  generateData,
  must,
  removeLeftovers,
  scenarioDir,
  waitExited,
  withProject,
} from './harness.js';

test.before(checkPrerequisites);
test.after.always(removeLeftovers);

/** `docker stop -t 10 name`; returns how long it took. A graceful exit takes far less than the 10 s before SIGKILL. */
async function dockerStop(name: string): Promise<number> {
  const started = Date.now();
  await must('docker', ['stop', '-t', '10', name]);
  return Date.now() - started;
}

const longLoop = { 'loop.amount': 100, 'loop.period': '30s' };

// Regression (client, echo mode): on SIGTERM during the loop.period sleep the client logged `shutdown` but its sleep
// timer survived, so node exited only when the period ended: with a 30 s period `docker stop -t 10` killed it (137).
test('docker stop client1 mid-run (echo, 30 s loop period)', async (t) => {
  await withProject({ name: 'sigterm-client', clients: 1, mode: 'echo', client: longLoop }, async (p) => {
    await p.waitLines('client1', 'receive_message', { result: 'success', timeoutMs: 30_000 });
    const ms = await dockerStop('client1');
    t.log(`docker stop client1: ${ms} ms`);
    t.true(ms < 5_000, `${ms} ms`);
    t.is(await waitExited('client1', 5_000), 0);
    t.is(await p.waitExitLine('client1', 10_000), 0);
    await p.waitLines('client1', 'signal', { result: 'success', match: (e) => e.fields['signal'] === 'SIGTERM' });
    await p.waitLines('client1', 'shutdown', { result: 'success', timeoutMs: 5_000 });
    t.deepEqual(p.lines('client1', 'loop_finished'), [], 'the loop did not finish');
    t.deepEqual(p.lines('client1', 'receive_message', 'fail'), []);
  });
});

test('docker stop server with clients connected (waiting for a draw that never comes)', async (t) => {
  const name = 'sigterm-server-clients';
  const dir = scenarioDir(name);
  const data = path.join(dir, '.data');
  await generateData(data, { agencies: 2, bets: 20, seed: 3 });
  // AGENCIES=3 with two clients: both finish and then wait on their winners query with the connection open.
  await withProject(
    { name, clients: 2, mode: 'agency', data, env: { server: { AGENCIES: 3 } } },
    async (p) => {
      await p.waitLines('server', 'agencia_finalizada', { result: 'success', count: 2, timeoutMs: 60_000 });
      const ms = await dockerStop('server');
      t.log(`docker stop server: ${ms} ms`);
      t.true(ms < 9_000, `${ms} ms`);
      t.is(await waitExited('server', 5_000), 0);
      t.is(await p.waitExitLine('server', 10_000), 0);
      await p.waitLines('server', 'signal', { result: 'success', match: (e) => e.fields['signal'] === 'SIGTERM' });
      await p.waitLines('server', 'close_file', { result: 'success', timeoutMs: 5_000 });
      await p.waitLines('server', 'shutdown', { result: 'success', timeoutMs: 5_000 });
      t.deepEqual(p.lines('server', 'sorteo'), [], 'no draw happened');
      // The clients lose the server mid-query; they must not hang. Their exit codes are logged, not asserted.
      for (const client of clientNames(2)) {
        const code = await p.waitExitLine(client, 20_000);
        t.log(`${client} exited with ${code}: ${p.lines(client).slice(-2).map((e) => e.line).join(' || ')}`);
      }
    },
    dir,
  );
});

test('docker stop server, alone', async (t) => {
  await withProject({ name: 'sigterm-server-alone', clients: 0 }, async (p) => {
    await p.waitLines('server', 'listen', { result: 'success', timeoutMs: 30_000 });
    const ms = await dockerStop('server');
    t.log(`docker stop server: ${ms} ms`);
    t.true(ms < 5_000, `${ms} ms`);
    t.is(await waitExited('server', 5_000), 0);
    t.is(await p.waitExitLine('server', 10_000), 0);
    await p.waitLines('server', 'shutdown', { result: 'success', timeoutMs: 5_000 });
  });
});

test('docker-compose stop -t 10 of server and 3 echo clients', async (t) => {
  await withProject({ name: 'sigterm-all', clients: 3, mode: 'echo', client: longLoop }, async (p) => {
    for (const client of clientNames(3)) await p.waitLines(client, 'receive_message', { result: 'success', timeoutMs: 30_000 });
    const started = Date.now();
    const stop = await p.compose_(['stop', '-t', '10']);
    const ms = Date.now() - started;
    t.log(`docker-compose stop: ${ms} ms`);
    t.is(stop.code, 0, stop.stderr);
    t.true(ms < 9_000, `${ms} ms`);
    const codes = await p.waitAllExited(['server', ...clientNames(3)], 15_000);
    for (const [service, code] of codes) t.is(code, 0, `${service} exit code`);
    for (const client of clientNames(3)) {
      await p.waitLines(client, 'shutdown', { result: 'success', timeoutMs: 5_000 });
      t.deepEqual(p.lines(client, 'receive_message', 'fail'), [], `${client}: no failed receive`);
    }
    await p.waitLines('server', 'shutdown', { result: 'success', timeoutMs: 5_000 });
  });
});
