import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runClient } from './client.js';
import { loadConfig } from './config.js';
import { captureLogger, startEchoServer, startLotteryServer } from './test/servers.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TSX = `--import=${import.meta.resolve('tsx')}`;
const cwd = () => mkdtempSync(path.join(tmpdir(), 'tp0-echo-'));

test('echo: loop.amount messages, one connection each, echoes logged, then loop_finished', async t => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const config = loadConfig({ env: { CLI_ID: '2', CLI_MODE: 'echo', CLI_SERVER_ADDRESS: `127.0.0.1:${server.port}`, CLI_LOOP_AMOUNT: '3', CLI_LOOP_PERIOD: '10ms' }, cwd: cwd() });
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 0);
  t.deepEqual(server.lines, ['[CLIENT 2] Message N°1', '[CLIENT 2] Message N°2', '[CLIENT 2] Message N°3']);
  t.deepEqual(lines().map(l => l.slice(l.indexOf('action: '))).slice(1), [
    'action: receive_message | result: success | client_id: 2 | msg: [CLIENT 2] Message N°1',
    'action: receive_message | result: success | client_id: 2 | msg: [CLIENT 2] Message N°2',
    'action: receive_message | result: success | client_id: 2 | msg: [CLIENT 2] Message N°3',
    'action: loop_finished | result: success | client_id: 2',
  ]);
});

test('echo: no server is a receive_message failure, exit 1', async t => {
  const server = await startEchoServer();
  await server.close();
  const config = loadConfig({ env: { CLI_ID: '2', CLI_MODE: 'echo', CLI_SERVER_ADDRESS: `127.0.0.1:${server.port}`, CLI_SERVER_CONNECTRETRY: '0s' }, cwd: cwd() });
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.regex(lines().at(-1) ?? '', /action: receive_message \| result: fail \| client_id: 2 \| error: .*ECONNREFUSED/);
});

test('echo process: SIGTERM while sleeping between messages exits 0 with shutdown', async t => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const env = { ...process.env, CLI_ID: '4', CLI_MODE: 'echo', CLI_SERVER_ADDRESS: `127.0.0.1:${server.port}`, CLI_LOOP_AMOUNT: '5', CLI_LOOP_PERIOD: '1m', CLI_LOG_LEVEL: 'INFO' };
  const child = spawn(process.execPath, [TSX, MAIN], { cwd: cwd(), env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const first = new Promise<void>(resolve =>
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes('receive_message')) resolve();
    }),
  );
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  await first;
  child.kill('SIGTERM');
  t.is(await exited, 0);
  t.is(server.lines.length, 1);
  t.regex(stdout, /action: shutdown \| result: success \| client_id: 4\n$/);
  t.notRegex(stdout, /loop_finished/);
});

const BET_ENV = { NOMBRE: 'Belén', APELLIDO: 'Sánchez', DOCUMENTO: '00000042', NACIMIENTO: '1999-03-17', NUMERO: '7574' };

test('single bet: sent after the lottery header, acked, logged with dni and numero', async t => {
  const server = await startLotteryServer();
  t.teardown(() => server.close());
  const config = loadConfig({ env: { CLI_ID: '5', CLI_MODE: 'bet', CLI_SERVER_ADDRESS: `127.0.0.1:${server.port}`, ...BET_ENV }, cwd: cwd() });
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 0);
  t.deepEqual(server.single, [{ firstName: 'Belén', lastName: 'Sánchez', document: '00000042', birthdate: '1999-03-17', number: 7574 }]);
  t.true((lines().at(-1) ?? '').endsWith('INFO     action: apuesta_enviada | result: success | dni: 00000042 | numero: 7574'));
});

test('single bet: a server that hangs up is a failure with the error, exit 1', async t => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  // The echo server does not speak the lottery protocol: it echoes the header bytes back as garbage.
  const config = loadConfig({ env: { CLI_ID: '5', CLI_MODE: 'bet', CLI_SERVER_ADDRESS: `127.0.0.1:${server.port}`, ...BET_ENV }, cwd: cwd() });
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.regex(lines().at(-1) ?? '', /action: apuesta_enviada \| result: fail \| dni: 00000042 \| numero: 7574 \| error: /);
});

test('single bet: a server error reply is logged as a failure with the error, exit 1', async t => {
  const server = await startLotteryServer({ rejectSingle: true });
  t.teardown(() => server.close());
  const config = loadConfig({ env: { CLI_ID: '5', CLI_MODE: 'bet', CLI_SERVER_ADDRESS: `127.0.0.1:${server.port}`, ...BET_ENV }, cwd: cwd() });
  const { log, lines } = captureLogger();
  t.is(await runClient(config, log), 1);
  t.true((lines().at(-1) ?? '').endsWith('action: apuesta_enviada | result: fail | dni: 00000042 | numero: 7574 | error: server error 2: agency 5 is not expected'));
});
