// ./validar-echo-server.sh: success against our server; fail against a wrong echo server, a silent one, and none.
import test from 'ava';
import { checkPrerequisites, must, REPO_ROOT, removeLeftovers, run, sleep, withProject } from './harness.js';

test.before(checkPrerequisites);
test.after.always(removeLeftovers);

const SUCCESS = 'action: test_echo_server | result: success';
const FAIL = 'action: test_echo_server | result: fail';

async function validar(): Promise<{ out: string; code: number; ms: number }> {
  const started = Date.now();
  const result = await run('./validar-echo-server.sh', [], { cwd: REPO_ROOT, timeoutMs: 60_000 });
  return { out: result.stdout, code: result.code, ms: Date.now() - started };
}

const FAKE_PORT = 12345;

/**
 * Resolves once a socket in `container` listens on `port`, read from /proc/net/tcp{,6} (state 0A) rather than by
 * connecting: a probe connection would use up the fake server's one answer.
 */
async function listening(container: string, port: number, timeoutMs = 10_000): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const check = `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q ':${hex} [0-9A-F]*:0000 0A'`;
  const deadline = Date.now() + timeoutMs;
  while ((await run('docker', ['exec', container, 'sh', '-c', check])).code !== 0) {
    if (Date.now() > deadline) throw new Error(`${container}: nothing listens on port ${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A container named `server` on the default bridge running `script` from busybox:local, once it listens. */
async function fakeServer(script: string): Promise<void> {
  await removeLeftovers();
  await must('docker', ['run', '-d', '--name', 'server', 'busybox:local', 'sh', '-c', script]);
  await listening('server', FAKE_PORT);
}

test('success against our server', async (t) => {
  await withProject({ name: 'validar-ok', clients: 0 }, async (p) => {
    await p.waitLines('server', 'listen', { result: 'success', timeoutMs: 30_000 });
    const { out, code, ms } = await validar();
    t.log(`${ms} ms`);
    t.is(out, `${SUCCESS}\n`);
    t.is(code, 0);
    t.true(ms < 15_000);
    const received = await p.waitLines('server', 'receive_message', { result: 'success', timeoutMs: 5_000 });
    t.regex(received[0]?.fields['msg'] ?? '', /^tp0 echo check \d+ \d+$/);
  });
});

test('fail against a server that answers something else', async (t) => {
  try {
    await fakeServer(`while :; do echo wrong | nc -l -p ${FAKE_PORT}; done`);
    const { out, code, ms } = await validar();
    t.log(`${ms} ms`);
    t.is(out, `${FAIL}\n`);
    t.is(code, 1);
    t.true(ms < 15_000, `${ms} ms`);
  } finally {
    await removeLeftovers();
  }
});

test('fail against a server that never answers', async (t) => {
  try {
    // Holds the connection open and never writes: a plain `nc -l` would close on the probe's half-close.
    await fakeServer(`while :; do nc -l -p ${FAKE_PORT} -e sleep 3600; done`);
    const { out, code, ms } = await validar();
    t.log(`${ms} ms`);
    t.is(out, `${FAIL}\n`);
    t.is(code, 1);
    t.true(ms >= 3_000, `${ms} ms: the probe must have waited for an answer`);
    t.true(ms < 20_000, `${ms} ms`);
  } finally {
    await removeLeftovers();
  }
});

test('fail when no server runs', async (t) => {
  await removeLeftovers();
  const { out, code, ms } = await validar();
  t.log(`${ms} ms`);
  t.is(out, `${FAIL}\n`);
  t.is(code, 1);
  t.true(ms < 5_000, `${ms} ms`);
});
