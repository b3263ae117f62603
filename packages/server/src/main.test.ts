import test from 'ava';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectLocal } from '@tp0/codec/testing';
import { parseLogLine } from '@tp0/common';
import { ErrorCode } from '@tp0/protocol';
import { lotteryClient, request, sampleBet } from './test/clients.js';
import { tempDir, until } from './test/helpers.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
/** The child runs in a temp dir, where the bare specifier `tsx` would not resolve. */
const TSX = import.meta.resolve('tsx');

/** Starts the server; `fileSizeLimitKiB` runs it under `ulimit -f`, so a write past that size fails part-way (EFBIG). */
function run(env: NodeJS.ProcessEnv, cwd: string, fileSizeLimitKiB?: number) {
  const node = [process.execPath, `--import=${TSX}`, MAIN];
  const [file, ...args] = fileSizeLimitKiB === undefined ? node : ['bash', '-c', `ulimit -f ${fileSizeLimitKiB} && exec "$@"`, 'bash', ...node];
  const child = spawn(file!, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const parsed = () => stdout.split('\n').map(parseLogLine).filter((l) => l !== null);
  return { child, exited, parsed, out: () => stdout, err: () => stderr };
}

test('SIGTERM: in-flight work finishes, every client socket and the file are closed, exit 0', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'config.ini');
  await writeFile(config, '[DEFAULT]\nSERVER_PORT = 12345\nSERVER_IP = 127.0.0.1\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = DEBUG\nAGENCIES = 2\n');
  const server = run({ CONFIG_FILE: config, SERVER_PORT: '0' }, dir);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const port = Number(await until(() => server.parsed().find((l) => l.action === 'listen')?.fields['port'], 15_000));
  t.truthy(server.parsed().find((l) => l.action === 'config' && l.fields['port'] === '0' && l.fields['agencies'] === '2'));

  const idle = await connectLocal(port);
  idle.on('error', () => {});
  const conn = await lotteryClient(port);
  t.deepEqual(await request(conn, { type: 'bet', agency: 1, bet: sampleBet('00000042', 7574) }), { type: 'ack', count: 1 });
  await conn.send({ type: 'winners_query', agency: 1 });
  await until(() => (server.parsed().filter((l) => l.action === 'accept_connection').length === 2 ? true : undefined));

  const started = Date.now();
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.err());
  t.true(Date.now() - started < 5000);
  const actions = server.parsed().map((l) => `${l.action}:${l.result}`);
  t.true(actions.includes('shutdown:in_progress'));
  t.is(actions.filter((a) => a === 'close_connection:success').length, 2);
  t.true(actions.includes('close_file:success'));
  t.is(actions.at(-1), 'shutdown:success');
  t.regex(server.out(), /action: close_file \| result: success \| file: \.\/bets\.csv/);
  t.is(await readFile(join(dir, 'bets.csv'), 'utf8'), '1,Belén,Sánchez,00000042,1999-03-17,7574\r\n');
  idle.destroy();
  conn.destroy();
});

test('an invalid config value is printed to stderr and the process exits 1', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'config.ini');
  await writeFile(config, '[DEFAULT]\nSERVER_PORT = 12345\nSERVER_IP = \nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = DEBUG\nAGENCIES = many\n');
  const server = run({ CONFIG_FILE: config }, dir);
  t.is(await server.exited, 1);
  t.regex(server.err(), /config: invalid value for AGENCIES: "many"/);
  const missing = run({ CONFIG_FILE: join(dir, 'nope.ini') }, dir);
  t.is(await missing.exited, 1);
  t.regex(missing.err(), /CONFIG_FILE.*nope\.ini/);
});

test('the process runs the draw and answers winners', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'config.ini');
  await writeFile(config, '[DEFAULT]\nSERVER_PORT = 0\nSERVER_IP = 127.0.0.1\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = INFO\nAGENCIES = 1\nFSYNC = batch\n');
  const server = run({ CONFIG_FILE: config }, dir);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const port = Number(await until(() => server.parsed().find((l) => l.action === 'listen')?.fields['port'], 15_000));
  const conn = await lotteryClient(port);
  await request(conn, { type: 'bet_batch', agency: 1, first: 0, bets: [sampleBet('1', 7574), sampleBet('2', 1), sampleBet('03', 7574)] });
  t.deepEqual(await request(conn, { type: 'finished', agency: 1, total: 3 }), { type: 'ack', count: 0 });
  t.deepEqual(await request(conn, { type: 'winners_query', agency: 1 }), { type: 'winners', agency: 1, documents: ['1', '03'] });
  // The child's log reaches us through a pipe: the line may come after the reply.
  await until(() => server.parsed().find((l) => l.action === 'sorteo' && l.result === 'success' && l.fields['winners'] === '2'));
  server.child.kill('SIGINT');
  t.is(await server.exited, 0);
  conn.destroy();
});

test('a bets file with a row that is not a bet: CRITICAL recuperar_estado naming the file and the row, exit 1, the file untouched', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'config.ini');
  await writeFile(config, '[DEFAULT]\nSERVER_PORT = 0\nSERVER_IP = 127.0.0.1\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = INFO\nAGENCIES = 1\n');
  const rows = Array.from({ length: 20 }, (_, i) => `1,A,B,${i},2000-01-01,${i === 10 ? 'siete' : i}\r\n`).join('');
  await writeFile(join(dir, 'bets.csv'), rows);
  const server = run({ CONFIG_FILE: config }, dir);
  t.teardown(() => void server.child.kill('SIGKILL'));
  t.is(await server.exited, 1, server.out());
  t.regex(server.out(), /CRITICAL action: recuperar_estado \| result: fail \| file: \.\/bets\.csv \| row: 11 \| error: invalid literal for int\(\) with base 10: "siete"/);
  t.false(server.parsed().some((l) => l.action === 'listen'));
  t.is(await readFile(join(dir, 'bets.csv'), 'utf8'), rows);
});

test('a write that fails part-way stores nothing of its batch: the file keeps whole rows and later batches and the draw work', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'config.ini');
  await writeFile(config, '[DEFAULT]\nSERVER_PORT = 0\nSERVER_IP = 127.0.0.1\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = INFO\nAGENCIES = 1\n');
  // 16 KiB of bets.csv at most: three batches of 100 rows (41 bytes each) fit, the fourth crosses the limit.
  const server = run({ CONFIG_FILE: config }, dir, 16);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const port = Number(await until(() => server.parsed().find((l) => l.action === 'listen')?.fields['port'], 15_000));
  const conn = await lotteryClient(port);
  const batch = (first: number, size: number, winner = -1) =>
    Array.from({ length: size }, (_, i) => sampleBet(String(first + i).padStart(8, '0'), first + i === winner ? 7574 : 1));
  for (const first of [0, 100, 200]) {
    t.deepEqual(await request(conn, { type: 'bet_batch', agency: 1, first, bets: batch(first, 100) }), { type: 'ack', count: 100 });
  }
  const failed = await request(conn, { type: 'bet_batch', agency: 1, first: 300, bets: batch(300, 100, 350) });
  t.like(failed, { type: 'error', code: ErrorCode.STORAGE_FAILURE });
  t.regex((failed as { message: string }).message, /EFBIG/);
  t.deepEqual(await request(conn, { type: 'bet_batch', agency: 1, first: 300, bets: batch(400, 10, 405) }), { type: 'ack', count: 10 });

  const rows = (await readFile(join(dir, 'bets.csv'), 'utf8')).split('\r\n');
  t.is(rows.pop(), '', 'the file ends with a whole row');
  t.is(rows.length, 310);
  const documents = rows.map((row) => row.split(',')[3]);
  t.deepEqual(documents, [...batch(0, 300), ...batch(400, 10)].map((bet) => bet.document), 'exactly the acked batches, in order');
  const kept = Buffer.byteLength(rows.slice(0, 300).map((row) => `${row}\r\n`).join(''));
  t.truthy(server.parsed().find((l) => l.action === 'store_bets' && l.result === 'fail' && l.fields['kept_bytes'] === String(kept)), server.out());

  t.deepEqual(await request(conn, { type: 'finished', agency: 1, total: 310 }), { type: 'ack', count: 0 });
  t.deepEqual(await request(conn, { type: 'winners_query', agency: 1 }), { type: 'winners', agency: 1, documents: ['00000405'] });
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.err());
  conn.destroy();
});
