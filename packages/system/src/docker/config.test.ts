// Config changes take effect with no rebuild: the scenarios mount edited copies of config.ini / config.yaml, the
// images stay the same, and the `action: config` lines show the new values.
import test from 'ava';
import { checkPrerequisites, containerState, imageId, removeLeftovers, withProject } from './harness.js';

const images: Record<string, string> = {};

test.before(async () => {
  await checkPrerequisites();
  for (const image of ['server:latest', 'client:latest']) images[image] = await imageId(image);
});
test.after.always(removeLeftovers);

test('loop amount and period from config.yaml', async (t) => {
  await withProject(
    { name: 'config-loop', clients: 1, mode: 'echo', client: { 'loop.amount': 3, 'loop.period': '2s', 'log.level': 'DEBUG' } },
    async (p) => {
      const [config] = await p.waitLines('client1', 'config', { result: 'success', timeoutMs: 30_000 });
      t.is(config?.fields['loop_amount'], '3');
      t.is(config?.fields['loop_period'], '2s');
      t.is(config?.fields['log_level'], 'DEBUG', 'log.level DEBUG from the mounted config.yaml shows the config line');
      await p.waitLines('client1', 'loop_finished', { result: 'success', timeoutMs: 30_000 });
      t.is(await p.waitExitLine('client1', 10_000), 0);
      t.is(p.lines('client1', 'receive_message', 'success').length, 3);
      // Two sleeps of 2 s between three messages (the committed 5 s would take 10 s). Measured by the engine, not
      // by when `logs -f` delivered the lines (it replays the lines written before it attached all at once).
      const state = await containerState('client1');
      const ms = Date.parse(state?.FinishedAt ?? '') - Date.parse(state?.StartedAt ?? '');
      t.log(`client1 ran ${ms} ms`);
      t.true(ms >= 4_000 && ms < 8_000, `client1 ran ${ms} ms`);
    },
  );
});

test('LOGGING_LEVEL / log.level INFO hide the DEBUG config lines', async (t) => {
  await withProject(
    {
      name: 'config-level',
      clients: 1,
      mode: 'echo',
      server: { LOGGING_LEVEL: 'INFO' },
      client: { 'log.level': 'INFO', 'loop.amount': 2, 'loop.period': '100ms' },
    },
    async (p) => {
      t.is(await p.waitExitLine('client1', 30_000), 0);
      await p.waitLines('server', 'receive_message', { result: 'success', count: 2, timeoutMs: 5_000 });
      t.deepEqual(p.lines('server', 'config'), [], 'no server config line');
      t.deepEqual(p.lines('client1', 'config'), [], 'no client config line');
      t.is(p.lines('server', 'listen', 'success').length, 1, 'INFO lines still show');
      t.is(p.lines('client1', 'receive_message', 'success').length, 2);
      t.false(p.entries.some((e) => / DEBUG /.test(e.line)), 'no DEBUG line at all');
    },
  );
});

test('SERVER_LISTEN_BACKLOG from config.ini shows in the server config line', async (t) => {
  await withProject({ name: 'config-backlog', clients: 0, server: { SERVER_LISTEN_BACKLOG: 17, LOGGING_LEVEL: 'DEBUG' } }, async (p) => {
    const [config] = await p.waitLines('server', 'config', { result: 'success', timeoutMs: 30_000 });
    t.is(config?.fields['listen_backlog'], '17');
    await p.waitLines('server', 'listen', { result: 'success', timeoutMs: 10_000 });
  });
});

test('no image was rebuilt by the config scenarios', async (t) => {
  for (const [image, id] of Object.entries(images)) t.is(await imageId(image), id, image);
});
