/**
 * SIGTERM at any moment of start-up ends the server and the agency with exit 0 (the entry points catch signals on
 * their first line, before their modules load), never by the signal. The one window no JavaScript can cover is
 * Node's own bootstrap, before the entry's first line runs: a signal there ends the process by the signal before it
 * printed anything. So the signals come at delays from 0 to well past the bootstrap
 * (measured beside them, on a machine that may be busy): before it, exit 0 or a silent kill; after it, exit 0 only.
 * The tests run one at a time, so that the bootstrap they measure is the one their children get.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Child } from './run/child.js';
import { appCommand } from './run/processes.js';
import { tempDir } from './test/helpers.js';

const EARLY_DELAYS_MS = [0, 10, 25];
/** After the measured bootstrap (times 2, plus these): must exit 0. */
const LATE_DELAYS_MS = [30, 60, 100, 200];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The children skip the extra CA bundle (parsed at every node start): they make no TLS connections. */
const { NODE_EXTRA_CA_CERTS: _ca, ...childEnv } = process.env;

/** Spawn to the first line of a one-line ESM script: Node's bootstrap, now, on this machine (median of 3). */
async function bootstrapMs(dir: string): Promise<number> {
  const script = path.join(dir, 'probe.mjs');
  await writeFile(script, "console.log('up');\n");
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const probe = new Child({ name: 'probe', script, cwd: dir, env: childEnv });
    const line = await probe.waitForLine((text) => text === 'up', 10_000);
    times.push(line.at - probe.started);
    await probe.exited;
  }
  return times.sort((a, b) => a - b)[1]!;
}

async function delays(dir: string): Promise<{ early: number[]; late: number[] }> {
  const boot = await bootstrapMs(dir);
  return { early: EARLY_DELAYS_MS, late: LATE_DELAYS_MS.map((d) => Math.round(boot * 2 + d)) };
}

async function serverConfig(dir: string, betsFile: string): Promise<string> {
  const file = path.join(dir, 'config.ini');
  await writeFile(
    file,
    `[DEFAULT]\nSERVER_PORT = 0\nSERVER_IP = 127.0.0.1\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = DEBUG\nAGENCIES = 1\nBETS_FILE = ${betsFile}\n`,
  );
  return file;
}

const server = (dir: string, config: string, name: string) =>
  new Child({ name, ...appCommand('@tp0/server'), cwd: dir, env: { ...childEnv, CONFIG_FILE: config } });

/** The agency against a port nothing listens on: it retries the connect until its window ends. */
const agency = (dir: string, name: string) =>
  new Child({
    name,
    ...appCommand('@tp0/client'),
    cwd: dir,
    env: {
      ...childEnv,
      CLI_ID: '1',
      CLI_MODE: 'agency',
      CLI_SERVER_ADDRESS: '127.0.0.1:9',
      CLI_SERVER_CONNECTRETRY: '30s',
      CLI_LOG_LEVEL: 'DEBUG',
      CLI_DATA_FILE: path.join(dir, 'agency.csv'),
    },
  });

/**
 * SIGTERM `delayMs` after spawning `start()`'s child. Exit 0; or, when `bootstrapAllowed`, killed by the signal
 * before printing a line. Returns which.
 */
async function signalledAt(t: ExecutionContext, start: () => Child, delayMs: number, bootstrapAllowed: boolean): Promise<string> {
  const child = start();
  t.teardown(() => child.kill('SIGKILL'));
  await sleep(Math.max(0, delayMs - (performance.now() - child.started)));
  child.kill('SIGTERM');
  const exit = await child.exited;
  if (bootstrapAllowed && exit.signal === 'SIGTERM' && child.lines.length === 0) return `${delayMs} ms: killed in bootstrap`;
  t.is(exit.code, 0, `${child.name}: SIGTERM after ${delayMs} ms: exit ${exit.code} signal ${exit.signal}\n${child.lines.map((l) => l.text).join('\n')}`);
  return `${delayMs} ms: exit 0`;
}

async function signalAtEveryDelay(t: ExecutionContext, dir: string, start: () => Child): Promise<void> {
  const { early, late } = await delays(dir);
  const outcomes: string[] = [];
  for (const delay of early) outcomes.push(await signalledAt(t, start, delay, true));
  for (const delay of late) outcomes.push(await signalledAt(t, start, delay, false));
  t.log(outcomes.join(', '));
}

test.serial('server: SIGTERM at any moment of start-up exits 0 (or, inside Node\'s bootstrap, before any output)', async (t) => {
  const dir = await tempDir(t);
  const config = await serverConfig(dir, path.join(dir, 'bets.csv'));
  await signalAtEveryDelay(t, dir, () => server(dir, config, 'server'));
});

test.serial('server: SIGTERM while it recovers a large bets.csv (before it listens) ends in the normal shutdown, exit 0', async (t) => {
  const dir = await tempDir(t);
  const betsFile = path.join(dir, 'bets.csv');
  // 600,000 rows: a recovery long enough for the signal to land in it, the window a signal used to kill the server in.
  const row = '1,Belén,Sánchez,30904465,1999-03-17,7574\n';
  await writeFile(betsFile, row.repeat(600_000));
  const config = await serverConfig(dir, betsFile);
  const child = server(dir, config, 'server');
  t.teardown(() => child.kill('SIGKILL'));
  // The config line comes before the recovery; the listen line after it.
  await child.waitForLine((line) => line.includes('action: config | result: success'), 10_000);
  child.kill('SIGTERM');
  const exit = await child.exited;
  const text = child.lines.map((l) => l.text).join('\n');
  t.is(exit.code, 0, text);
  t.regex(text, /action: signal \| result: success \| signal: SIGTERM/);
  t.regex(text, /action: shutdown \| result: success/);
});

test.serial('agency: SIGTERM at any moment of start-up exits 0 (or, inside Node\'s bootstrap, before any output)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'agency.csv'), 'Belén,Sánchez,30904465,1999-03-17,7574\r\n');
  await signalAtEveryDelay(t, dir, () => agency(dir, 'client'));
});
