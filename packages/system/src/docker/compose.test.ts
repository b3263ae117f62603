// Compose files for 0, 1, 3 and 5 clients in agency mode: every service starts, every client exits 0; a lone server
// stays up until stopped and then stops cleanly.
import test from 'ava';
import path from 'node:path';
import {
  checkPrerequisites,
  clientNames,
  generateData,
  isRunning,
  removeLeftovers,
  scenarioDir,
  waitExited,
  withProject,
} from './harness.js';

test.before(checkPrerequisites);
test.after.always(removeLeftovers);

for (const clients of [1, 3, 5]) {
  test(`agency mode, ${clients} client(s): services start and every client exits 0`, async (t) => {
    const name = `compose-${clients}`;
    const dir = scenarioDir(name);
    const data = path.join(dir, '.data');
    await generateData(data, { agencies: clients, bets: 30, seed: 100 + clients });
    await withProject(
      { name, clients, mode: 'agency', data, client: { 'log.level': 'INFO' } },
      async (p) => {
        await p.waitLines('server', 'listen', { result: 'success', timeoutMs: 30_000 });
        const codes = await p.waitAllExited(clientNames(clients), 90_000);
        for (const [client, code] of codes) t.is(code, 0, `${client} exit code`);
        for (const client of clientNames(clients)) {
          const sent = p.lines(client, 'apuesta_enviada', 'success');
          t.deepEqual(sent.map((e) => e.fields['cantidad']), ['30'], `${client} sent its 30 bets`);
          t.is(p.lines(client, 'consulta_ganadores', 'success').length, 1, `${client} got its winners`);
        }
        t.is(p.lines('server', 'sorteo', 'success').length, 1, 'one draw');
        t.true(await isRunning('server'), 'the server keeps running after the draw');
      },
      dir,
    );
  });
}

// Regression: config.yaml once set `data.file: .data/agency-1.csv`, which beat the per-id default, so every client
// but client1 opened a file compose had not mounted for it (ENOENT, exit 1). Runs the committed config unedited.
test('agency mode, 2 clients, committed config.yaml: client2 finds its own agency file', async (t) => {
  const name = 'compose-committed-config';
  const dir = scenarioDir(name);
  const data = path.join(dir, '.data');
  await generateData(data, { agencies: 2, bets: 10, seed: 7 });
  await withProject(
    { name, clients: 2, mode: 'agency', data },
    async (p) => {
      const code = await p.waitExitLine('client2', 30_000);
      t.log(p.lines('client2', 'apuesta_enviada').map((e) => e.line));
      t.is(code, 0);
    },
    dir,
  );
});

test('0 clients: a lone server stays up and stops cleanly', async (t) => {
  await withProject({ name: 'compose-0', clients: 0, mode: 'agency' }, async (p) => {
    await p.waitLines('server', 'listen', { result: 'success', timeoutMs: 30_000 });
    t.deepEqual(
      p.entries.map((e) => e.service).filter((s) => s !== 'server'),
      [],
      'no service but the server',
    );
    // Idle for 3 s, watching for its exit line: an exit in that time ends the wait at once and fails the test.
    const exitedIdle = await p.waitExitLine('server', 3_000).then(
      (code) => `exited with ${code}`,
      () => null,
    );
    t.is(exitedIdle, null, 'the idle server exited on its own');
    t.true(await isRunning('server'), 'docker inspect: running');
    const stop = await p.compose_(['stop', '-t', '10']);
    t.is(stop.code, 0, stop.stderr);
    t.is(await p.waitExitLine('server', 15_000), 0);
    t.is(await waitExited('server', 5_000), 0);
    // It was alive to receive the stop: it logged the SIGTERM, then its shutdown.
    await p.waitLines('server', 'signal', { result: 'success', match: (e) => e.fields['signal'] === 'SIGTERM', timeoutMs: 5_000 });
    await p.waitLines('server', 'shutdown', { result: 'success', timeoutMs: 5_000 });
  });
});
