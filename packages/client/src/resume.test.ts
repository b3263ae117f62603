import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode } from '@tp0/protocol';
import { runClient } from './client.js';
import { loadConfig } from './config.js';
import { captureLogger, startLotteryServer, type LotteryServer } from './test/servers.js';

/** n agency rows; documents 00000001.. in file order, every 10th bet on 7574. */
function agencyCsv(rows: number): string {
  let text = '';
  for (let i = 1; i <= rows; i++) text += `José,Núñez,${String(i).padStart(8, '0')},1980-05-0${(i % 9) + 1},${i % 10 === 0 ? 7574 : i}\r\n`;
  return text;
}
const documents = (rows: number) => Array.from({ length: rows }, (_, i) => String(i + 1).padStart(8, '0'));

/** The agency (id 3, batches of 10) against `server`, with a short retry window and timeouts; its exit code and log. */
async function runAgency(server: LotteryServer, rows: number, env: Record<string, string> = {}) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'tp0-resume-'));
  writeFileSync(path.join(cwd, 'bets.csv'), agencyCsv(rows));
  const config = loadConfig({
    env: { CLI_ID: '3', CLI_SERVER_ADDRESS: `127.0.0.1:${server.port}`, CLI_DATA_FILE: 'bets.csv', CLI_BATCH_MAXAMOUNT: '10', CLI_SERVER_CONNECTRETRY: '5s', ...env },
    cwd,
  });
  const { log, lines } = captureLogger();
  const code = await runClient(config, log);
  const actions = lines().map(l => l.slice(l.indexOf('action: ')));
  return { code, actions, text: actions.join('\n'), file: config.dataFile };
}

async function server(options: Parameters<typeof startLotteryServer>[0] = {}) {
  const started = await startLotteryServer(options);
  return started;
}

test('a reset mid-stream, twice: the agency resumes from what the server stored; the file arrives exactly once, in order', async t => {
  const fault = await server({ resetAfter: 3, resets: 2 });
  t.teardown(() => fault.close());
  const { code, actions, text } = await runAgency(fault, 100);
  t.is(code, 0, text);
  t.deepEqual(fault.stored.map(bet => bet.document), documents(100));
  t.is(fault.connections(), 3);
  // Each session starts at what the server held: 0, then 30 (batch 3 stored, its ack lost), then 60.
  t.deepEqual(actions.filter(a => a.startsWith('action: reanudar')), [
    'action: reanudar | result: success | almacenadas: 0 | finalizada: no',
    'action: reanudar | result: success | almacenadas: 30 | finalizada: no',
    'action: reanudar | result: success | almacenadas: 60 | finalizada: no',
  ]);
  t.regex(text, /action: reconectar \| result: in_progress \| intento: 2 \| espera: 50ms \| error: (ECONNRESET|ERR_CONNECTION_CLOSED|ERR_SOCKET_CLOSED)/);
  t.true(text.endsWith('action: consulta_ganadores | result: success | cant_ganadores: 10'), text);
});

test('a transient server error (SHUTTING_DOWN) is retried; AGENCY_BUSY after our own reset is retried too', async t => {
  const fault = await server({ resetAfter: 2, resets: 2, helloErrors: { 1: ErrorCode.SHUTTING_DOWN, 3: ErrorCode.AGENCY_BUSY } });
  t.teardown(() => fault.close());
  const { code, text } = await runAgency(fault, 45);
  t.is(code, 0, text);
  t.deepEqual(fault.stored.map(bet => bet.document), documents(45));
  t.regex(text, /reconectar \| result: in_progress \| intento: 2 .*server error 6: hello 1 refused/);
  t.regex(text, /reconectar \| result: in_progress \| intento: \d+ .*server error 9: hello 3 refused/);
});

test('AGENCY_BUSY on the first connection: another client has our id, exit 1 at once', async t => {
  const busy = await server({ helloErrors: { 1: ErrorCode.AGENCY_BUSY } });
  t.teardown(() => busy.close());
  const { code, text } = await runAgency(busy, 10);
  t.is(code, 1);
  t.is(busy.connections(), 1);
  t.true(text.includes('action: reanudar | result: fail | enviadas: 0 | error: server error 9: hello 1 refused (another client is connected as agency 3: two clients with the same id?)'), text);
});

test('an ack with the wrong count: exit 1 naming what was expected and what came, not retried', async t => {
  const liar = await server({ ackCount: size => (size === 10 ? 9 : size) });
  t.teardown(() => liar.close());
  const { code, text } = await runAgency(liar, 30);
  t.is(code, 1);
  t.is(liar.connections(), 1);
  t.true(text.includes('action: apuesta_enviada | result: fail | cantidad: 10 | error: expected ack of 10 bets (bets 1..10), got ack of 9'), text);
  t.false(liar.events.includes('finished'));
});

test('winners of another agency: exit 1, not reported as ours', async t => {
  const liar = await server({ winnersAgency: 4 });
  t.teardown(() => liar.close());
  const { code, text } = await runAgency(liar, 30);
  t.is(code, 1);
  t.true(text.includes('action: consulta_ganadores | result: fail | enviadas: 30 | error: expected winners of agency 3, got winners of agency 4'), text);
  t.false(text.includes('consulta_ganadores | result: success'));
});

test('a server that never acks: batch.inFlight batches per connection, request timeouts, retries, then gives up after the window', async t => {
  const stuck = await server({ holdBatch: 1 });
  t.teardown(() => stuck.close());
  const { code, text } = await runAgency(stuck, 100, { CLI_BATCH_INFLIGHT: '3', CLI_TIMEOUTS_REQUEST: '500ms', CLI_SERVER_CONNECTRETRY: '2s' });
  t.is(code, 1);
  const connections = stuck.connections();
  t.true(connections >= 2, text);
  // Every connection resumes at 0 (nothing stored) and sends exactly batch.inFlight batches before the first ack.
  t.deepEqual(stuck.firsts, Array.from({ length: connections }, () => [0, 10, 20]).flat());
  t.regex(text, /action: reconectar \| result: in_progress \| intento: 2 \| espera: 50ms \| error: ERR_REQUEST_TIMEOUT: no reply to bet_batch within 500 ms/);
  t.regex(text, new RegExp(`action: reconectar \\| result: fail \\| intentos: ${connections} \\| ventana: 2s \\| error: ERR_REQUEST_TIMEOUT`));
  t.true(text.endsWith('action: apuesta_enviada | result: fail | cantidad: 10 | error: ERR_REQUEST_TIMEOUT: no reply to bet_batch within 500 ms'), text);
});

test('batch.inFlight 1: one batch at a time', async t => {
  const stuck = await server({ holdBatch: 1 });
  t.teardown(() => stuck.close());
  const { code } = await runAgency(stuck, 100, { CLI_BATCH_INFLIGHT: '1', CLI_TIMEOUTS_REQUEST: '1s', CLI_SERVER_CONNECTRETRY: '0s' });
  t.is(code, 1);
  t.deepEqual(stuck.firsts, [0]);
});

test('a server that accepts but never answers hello: request timeout, exit 1 once the window is spent', async t => {
  const silent = await server({ silent: true });
  t.teardown(() => silent.close());
  const { code, text } = await runAgency(silent, 10, { CLI_TIMEOUTS_REQUEST: '100ms', CLI_SERVER_CONNECTRETRY: '0s' });
  t.is(code, 1);
  t.true(text.endsWith('action: reanudar | result: fail | enviadas: 0 | error: ERR_REQUEST_TIMEOUT: no reply to hello within 100 ms'), text);
});

test('a finished agency that runs again goes straight to the winners', async t => {
  const lottery = await server();
  t.teardown(() => lottery.close());
  t.is((await runAgency(lottery, 20)).code, 0);
  const again = await runAgency(lottery, 20);
  t.is(again.code, 0, again.text);
  t.deepEqual(lottery.events.slice(-2), ['hello', 'winners_query']);
  t.is(lottery.stored.length, 20);
  t.true(again.text.includes('action: reanudar | result: success | almacenadas: 20 | finalizada: si'), again.text);
  t.false(again.text.includes('apuesta_enviada'));
});

test('a finished agency that runs again on a different file (new data, kept lottery): exit 1, no winners asked', async t => {
  const lottery = await server();
  t.teardown(() => lottery.close());
  t.is((await runAgency(lottery, 20)).code, 0);
  const again = await runAgency(lottery, 30);
  t.is(again.code, 1, again.text);
  t.deepEqual(lottery.events.slice(-1), ['hello']);
  t.is(lottery.stored.length, 20);
  t.true(
    again.text.includes(
      `action: leer_apuestas | result: fail | file: ${again.file} | error: the server's lottery holds 20 bets of agency 3, finished, but the file has 30 rows`,
    ),
    again.text,
  );
});

test('a file shorter than what the server stored for the agency: exit 1, nothing sent', async t => {
  const preStored = Array.from({ length: 25 }, (_, i) => ({ firstName: 'A', lastName: 'B', document: String(i), birthdate: '1999-01-01', number: 1 }));
  const lottery = await server({ preStored });
  t.teardown(() => lottery.close());
  const { code, text, file } = await runAgency(lottery, 20);
  t.is(code, 1);
  t.deepEqual(lottery.firsts, []);
  t.true(text.includes(`action: leer_apuestas | result: fail | file: ${file} | error: the file has 20 rows but the server already stored 25 bets of agency 3: not the file this agency sent`), text);
});

/**
 * A listener that never accepts, with a backlog of 0 (python3: node always accepts): once its accept queue holds a
 * connection, the kernel drops further SYNs, so a connect hangs as it would behind a lost SYN.
 */
async function unacceptingListener(t: ExecutionContext): Promise<number> {
  const child = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)']);
  t.teardown(() => child.kill('SIGKILL'));
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  // Fill the accept queue with a connection nobody accepts: once it is connected, the queue is full.
  const filler = net.connect(port, '127.0.0.1');
  filler.on('error', () => {});
  t.teardown(() => filler.destroy());
  await once(filler, 'connect');
  return port;
}

test('a connect that hangs (SYN dropped) fails after timeouts.connect and is retried, not after the kernel\'s ~2 min', async t => {
  const port = await unacceptingListener(t);
  const started = performance.now();
  const { code, text } = await runAgency({ port } as LotteryServer, 10, { CLI_TIMEOUTS_CONNECT: '300ms', CLI_SERVER_CONNECTRETRY: '1s' });
  const elapsed = performance.now() - started;
  t.is(code, 1);
  t.regex(text, /ERR_CONNECT_TIMEOUT: no connection to 127\.0\.0\.1:\d+ within 300 ms/);
  t.true((text.match(/ERR_CONNECT_TIMEOUT/g) ?? []).length >= 2, `retried within the window:\n${text}`);
  t.true(elapsed < 15_000, `gave up in ${elapsed.toFixed(0)} ms`);
});
