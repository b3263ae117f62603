import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchFrameSize, MAX_BATCH_FRAME_BYTES } from '@tp0/protocol';
import { runClient } from './client.js';
import { DEFAULT_BATCH_IN_FLIGHT, loadConfig } from './config.js';
import { captureLogger, startLotteryServer } from './test/servers.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
/** The child runs in a temp dir: tsx must be named by its absolute URL. */
const TSX = `--import=${import.meta.resolve('tsx')}`;
const NAMES = [['Belén', 'Sánchez'], ['José María', 'Ñandú'], ['Ana', 'Saldaña']] as const;

/** Agency rows with accents; every 10th bet is on 7574. */
function agencyCsv(rows: number, badLine?: number): string {
  let text = '';
  for (let i = 1; i <= rows; i++) {
    const [first, last] = NAMES[i % NAMES.length]!;
    text += i === badLine ? `${first},${last},1234,1999-02-30,5\r\n` : `${first},${last},${String(i).padStart(8, '0')},1980-05-0${(i % 9) + 1},${i % 10 === 0 ? 7574 : i % 10_000}\r\n`;
  }
  return text;
}

function setup(port: number, csv: string, env: Record<string, string> = {}) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'tp0-agency-'));
  writeFileSync(path.join(cwd, 'bets.csv'), csv);
  const fullEnv = { CLI_ID: '3', CLI_SERVER_ADDRESS: `127.0.0.1:${port}`, CLI_DATA_FILE: 'bets.csv', CLI_LOG_LEVEL: 'DEBUG', CLI_BATCH_MAXAMOUNT: '10', ...env };
  return { cwd, env: fullEnv, config: loadConfig({ env: fullEnv, cwd }) };
}

test('agency: all bets arrive in order in batches of maxAmount (100 rows by 7: 14 × 7 + 2), then finished and winners', async t => {
  const server = await startLotteryServer();
  t.teardown(() => server.close());
  const { config } = setup(server.port, agencyCsv(100), { CLI_BATCH_MAXAMOUNT: '7' });
  const { log, lines: text, parsed } = captureLogger();

  t.is(await runClient(config, log), 0);

  t.deepEqual(server.batches.map(b => b.length), [...Array<number>(14).fill(7), 2]);
  const documents = server.batches.flat().map(b => b.document);
  t.deepEqual(documents, Array.from({ length: 100 }, (_, i) => String(i + 1).padStart(8, '0')));
  t.deepEqual(server.batches[0]![1], { firstName: 'Ana', lastName: 'Saldaña', document: '00000002', birthdate: '1980-05-03', number: 2 });
  t.deepEqual(server.events.slice(-2), ['finished', 'winners_query']);
  const lines = parsed();
  t.like(lines[0], { action: 'config', result: 'success', fields: { client_id: '3', batch_max_amount: '7', mode: 'agency' } });
  // One DEBUG line per batch, then the INFO total.
  t.deepEqual(lines.filter(l => l.action === 'apuesta_enviada').map(l => l.fields['cantidad']), [...Array<string>(14).fill('7'), '2', '100']);
  t.true(text().at(-2)?.includes('INFO     action: apuesta_enviada | result: success | cantidad: 100'), text().at(-2));
  t.like(lines.at(-1), { action: 'consulta_ganadores', result: 'success', fields: { cant_ganadores: '10' } });
});

test('agency: long UTF-8 names are split by the byte budget, no frame over 8192 bytes', async t => {
  const server = await startLotteryServer();
  t.teardown(() => server.close());
  const long = `${'Ñ'.repeat(120)},${'á'.repeat(120)},12345678,1999-01-01,1\r\n`.repeat(100);
  const { config } = setup(server.port, long, { CLI_BATCH_MAXAMOUNT: '134' });
  t.is(await runClient(config, captureLogger().log), 0);
  t.is(server.batches.flat().length, 100);
  // 2+240 + 2+240 + 2+8 + 2+10 + 2 = 508 bytes per bet: 16 fit in 8192.
  t.deepEqual(server.batches.map(b => b.length), [...Array<number>(6).fill(16), 4]);
  for (const batch of server.batches) t.true(batchFrameSize(batch) <= MAX_BATCH_FRAME_BYTES);
});

test('agency: a malformed row stops the agency with its line number; earlier batches stay sent', async t => {
  const server = await startLotteryServer();
  t.teardown(() => server.close());
  const { config } = setup(server.port, agencyCsv(40, 25));
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.deepEqual(server.batches.map(b => b.length), [10, 10]);
  t.false(server.events.includes('finished'));
  t.true(lines().some(l => l.includes(`action: leer_apuestas | result: fail | file: ${config.dataFile} | line: 25 | error: birthdate "1999-02-30" is not a real YYYY-MM-DD date | enviadas: 20`)), lines().join('\n'));
});

test('agency: a bad multi-line quoted name (CRLF) is reported at the line where it ends, after quoted one-line rows', async t => {
  const server = await startLotteryServer();
  t.teardown(() => server.close());
  const rows = agencyCsv(40).split('\r\n');
  rows[2] = rows[2]!.replace(/^([^,]*),([^,]*)/, '"$1","$2"');
  rows[24] = `"Ana\r\nMaría",Pérez,1,1999-01-01,5`;
  const { config } = setup(server.port, rows.join('\r\n'));
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.deepEqual(server.batches.map(b => b.length), [10, 10]);
  t.is(server.batches[0]![2]!.firstName, 'Belén');
  t.true(lines().some(l => l.includes(`action: leer_apuestas | result: fail | file: ${config.dataFile} | line: 26 | error: first name contains a line break | enviadas: 20`)), lines().join('\n'));
});

test('agency: bad CSV (a stray quote) stops the agency with file, line and csv-parse\'s reason; the batches before it are sent', async t => {
  const server = await startLotteryServer();
  t.teardown(() => server.close());
  const rows = agencyCsv(40).split('\r\n');
  rows[24] = 'Ana,"Pé"rez,1,1999-01-01,5';
  const { config } = setup(server.port, rows.join('\r\n'));
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.deepEqual(server.batches.map(b => b.length), [10, 10]);
  t.false(server.events.includes('finished'));
  const failure = `action: leer_apuestas | result: fail | file: ${config.dataFile} | line: 25 | error: Invalid Closing Quote: got "r" at line 25 instead of delimiter`;
  t.true(lines().some(l => l.includes(failure) && l.endsWith('| enviadas: 20')), lines().join('\n'));
});

test('agency: a server error reply is logged as a failure, exit 1', async t => {
  const server = await startLotteryServer({ rejectBatch: 2 });
  t.teardown(() => server.close());
  const { config } = setup(server.port, agencyCsv(30));
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.is(server.stored.length, 10);
  t.is(server.connections(), 1, 'an error reply is not retried');
  t.true(lines().some(l => l.includes('action: apuesta_enviada | result: fail | cantidad: 10 | error: server error 2: bet 3')), lines().join('\n'));
});

test('agency: no server listening is a connect failure, exit 1', async t => {
  const server = await startLotteryServer();
  await server.close();
  const { config } = setup(server.port, agencyCsv(3), { CLI_SERVER_CONNECTRETRY: '0s' });
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.true(lines().some(l => l.includes('action: connect | result: fail | client_id: 3 | error: ') && l.includes('ECONNREFUSED')));
});

test('agency: a server that starts late is retried until it listens (compose starts them together)', async t => {
  const probe = await startLotteryServer();
  const port = probe.port;
  await probe.close();
  const { config } = setup(port, agencyCsv(12), { CLI_SERVER_CONNECTRETRY: '5s' });
  const { log, lines, logged } = captureLogger();
  const run = runClient(config, log);
  // Listen only once a connect was refused and a retry is scheduled.
  await logged(/action: reconectar \| result: in_progress \| intento: 2 .*ECONNREFUSED/);
  const server = await startLotteryServer({ port });
  t.teardown(() => server.close());
  t.is(await run, 0, lines().join('\n'));
  t.deepEqual(server.batches.map(b => b.length), [10, 2]);
});

/** The agency as a process (tsx), its stdout collected. */
function spawnAgency(cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [TSX, MAIN], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  return { child, exited, stdout: () => stdout, actions: () => stdout.split('\n').filter(Boolean).map(l => l.slice(l.indexOf('action: '))) };
}

const shutdownLines = (cwd: string) => [
  'action: signal | result: success | signal: SIGTERM',
  `action: close_file | result: success | file: ${path.join(cwd, 'bets.csv')}`,
  'action: close_connection | result: success',
  'action: shutdown | result: success | client_id: 3',
];

test('agency process: SIGTERM while waiting for an ack closes file and connection, exit 0', async t => {
  const server = await startLotteryServer({ holdBatch: 2 });
  t.teardown(() => server.close());
  const { cwd, env } = setup(server.port, agencyCsv(1000));
  const agency = spawnAgency(cwd, env);
  await server.batchesReceived(2);
  agency.child.kill('SIGTERM');
  t.is(await agency.exited, 0, agency.stdout());
  // Batch 1 acked and stored; then the server holds: at most batch.inFlight more were sent, none stored.
  t.is(server.stored.length, 10);
  t.true(server.firsts.length <= 1 + DEFAULT_BATCH_IN_FLIGHT, `${server.firsts.length} batches arrived`);
  t.deepEqual(agency.actions().slice(-4), shutdownLines(cwd));
});

test('agency process: SIGTERM mid-stream against a slow server stops the pipeline: no batch after it, exit 0', async t => {
  const server = await startLotteryServer({ ackDelayMs: 25 });
  t.teardown(() => server.close());
  // 100 batches of 10 at 25 ms per ack: 2.5 s if the pipeline went on after the signal.
  const { cwd, env } = setup(server.port, agencyCsv(1000));
  const agency = spawnAgency(cwd, env);
  await server.batchesReceived(3);
  agency.child.kill('SIGTERM');
  t.is(await agency.exited, 0, agency.stdout());
  // The signal may cross one ack, and batch.inFlight batches are sent ahead of their acks.
  t.true(server.firsts.length <= 4 + DEFAULT_BATCH_IN_FLIGHT, `${server.firsts.length} batches arrived`);
  t.false(server.events.includes('finished'));
  t.deepEqual(agency.actions().slice(-4), shutdownLines(cwd));
});

test('agency process: exits promptly after its winners line (regression: an uncancelled 1 s close timer)', async t => {
  const server = await startLotteryServer();
  t.teardown(() => server.close());
  const { cwd, env } = setup(server.port, agencyCsv(50), { CLI_LOG_LEVEL: 'INFO' });
  const child = spawn(process.execPath, [TSX, MAIN], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let winnersAt = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (winnersAt === 0 && stdout.includes('action: consulta_ganadores')) winnersAt = performance.now();
  });
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve));
  const lingered = performance.now() - winnersAt;
  t.is(code, 0, stdout);
  t.not(winnersAt, 0, stdout);
  // Well under the 1 s timer it pinned, with room for a loaded machine.
  t.true(lingered < 800, `exited ${Math.round(lingered)} ms after the winners line`);
});

test('agency process: a bad config value exits 1 naming the key on stderr', async t => {
  const child = spawn(process.execPath, [TSX, MAIN], {
    cwd: mkdtempSync(path.join(tmpdir(), 'tp0-agency-')),
    env: { ...process.env, CLI_ID: '1', CLI_SERVER_ADDRESS: 'server', CLI_LOG_LEVEL: 'INFO' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  t.is(await new Promise(resolve => child.on('exit', resolve)), 1);
  t.regex(stderr, /CLI_SERVER_ADDRESS.*"server"/);
});

test('agency: invalid UTF-8 in the file stops the agency with file and line, exit 1', async t => {
  const server = await startLotteryServer();
  t.teardown(() => server.close());
  const { cwd, config } = setup(server.port, '');
  writeFileSync(config.dataFile, Buffer.concat([Buffer.from(agencyCsv(5)), Buffer.from('Jos'), Buffer.of(0xe9), Buffer.from(',Pérez,1,1999-01-01,5\r\n')]));
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.true(cwd.length > 0);
  t.false(server.events.includes('finished'));
  t.true(lines().some(l => l.includes(`action: leer_apuestas | result: fail | file: ${config.dataFile} | line: 6 | error: not UTF-8: byte 0xE9`)), lines().join('\n'));
});
