import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ConfigError, createLogger } from '@tp0/common';
import { configFields, DEFAULT_BATCH_MAX_AMOUNT, loadConfig } from './config.js';

const COURSE_YAML = `id: 1
server:
  address: "server:12345"
loop:
  amount: 5
  period: "100ms"
log:
  level: "DEBUG"
batch:
  maxAmount: 50
`;

function dirWith(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tp0-client-config-'));
  writeFileSync(path.join(dir, 'config.yaml'), yaml);
  return dir;
}

test('reads the course keys from ./config.yaml; defaults for mode and data file', t => {
  const cwd = dirWith(COURSE_YAML);
  const config = loadConfig({ env: {}, cwd });
  t.like(config, { id: 1, serverAddress: 'server:12345', host: 'server', port: 12345, loopAmount: 5, loopPeriod: 100, logLevel: 'DEBUG', batchMaxAmount: 50, mode: 'agency', bet: null });
  t.is(config.dataFile, path.join(cwd, '.data', 'agency-1.csv'));
});

test('env overrides every key; CLI_CONFIG_FILE picks the file', t => {
  const cwd = dirWith('');
  writeFileSync(path.join(cwd, 'other.yaml'), COURSE_YAML + 'mode: echo\ndata:\n  file: bets.csv\n');
  const env = {
    CLI_CONFIG_FILE: 'other.yaml',
    CLI_ID: '3',
    CLI_SERVER_ADDRESS: '127.0.0.1:9000',
    CLI_LOOP_AMOUNT: '0',
    CLI_LOOP_PERIOD: '1m30s',
    CLI_LOG_LEVEL: 'warn',
    CLI_BATCH_MAXAMOUNT: '7',
  };
  t.like(loadConfig({ env, cwd }), { id: 3, host: '127.0.0.1', port: 9000, loopAmount: 0, loopPeriod: 90_000, logLevel: 'WARNING', batchMaxAmount: 7, mode: 'echo', dataFile: path.join(cwd, 'bets.csv') });
  t.like(loadConfig({ env: { ...env, CLI_MODE: 'AGENCY', CLI_DATA_FILE: '/x/y.csv' }, cwd }), { mode: 'agency', dataFile: '/x/y.csv' });
});

test('without batch.maxAmount the computed default applies', t => {
  t.is(loadConfig({ env: {}, cwd: dirWith('id: 2\nserver:\n  address: "s:1"\n') }).batchMaxAmount, DEFAULT_BATCH_MAX_AMOUNT);
});

test('each bad value throws a ConfigError naming its key', t => {
  const cwd = dirWith(COURSE_YAML);
  const cases: Array<[Record<string, string>, string]> = [
    [{ CLI_ID: 'x1' }, 'CLI_ID'],
    [{ CLI_ID: '-1' }, 'CLI_ID'],
    [{ CLI_ID: '0' }, 'CLI_ID'],
    [{ CLI_ID: '1.5' }, 'CLI_ID'],
    [{ CLI_LOOP_AMOUNT: '-3' }, 'CLI_LOOP_AMOUNT'],
    [{ CLI_LOOP_AMOUNT: 'five' }, 'CLI_LOOP_AMOUNT'],
    [{ CLI_LOOP_PERIOD: '5' }, 'CLI_LOOP_PERIOD'],
    [{ CLI_LOOP_PERIOD: '-1s' }, 'CLI_LOOP_PERIOD'],
    [{ CLI_SERVER_ADDRESS: 'server' }, 'CLI_SERVER_ADDRESS'],
    [{ CLI_SERVER_ADDRESS: 'server:' }, 'CLI_SERVER_ADDRESS'],
    [{ CLI_SERVER_ADDRESS: 'server:70000' }, 'CLI_SERVER_ADDRESS'],
    [{ CLI_LOG_LEVEL: 'LOUD' }, 'CLI_LOG_LEVEL'],
    [{ CLI_MODE: 'lottery' }, 'CLI_MODE'],
    [{ CLI_BATCH_MAXAMOUNT: '0' }, 'CLI_BATCH_MAXAMOUNT'],
    [{ CLI_CONFIG_FILE: 'missing.yaml' }, 'CLI_CONFIG_FILE'],
  ];
  for (const [env, key] of cases) {
    const error = t.throws(() => loadConfig({ env, cwd }), { instanceOf: ConfigError }, JSON.stringify(env));
    t.is(error?.key, key);
    t.true(error?.message.includes(key), error?.message);
  }
  for (const [yaml, key] of [
    ['id: 1\nserver:\n  address: nohost\n', 'server.address'],
    ['id: 1\nserver:\n  address: "s:1"\nloop:\n  period: fast\n', 'loop.period'],
    ['id: 1\nserver:\n  address: "s:1"\nbatch:\n  maxAmount: 0\n', 'batch.maxAmount'],
    ['server:\n  address: "s:1"\n', 'id'],
    ['id: [1\n', 'CLI_CONFIG_FILE'],
  ] as const) {
    t.is(t.throws(() => loadConfig({ env: {}, cwd: dirWith(yaml) }), { instanceOf: ConfigError })?.key, key, yaml);
  }
});

test('bet mode reads the bet from NOMBRE... (CLI_ prefix wins) and names the bad variable', t => {
  const cwd = dirWith(COURSE_YAML);
  const bet = { NOMBRE: 'Belén', APELLIDO: 'Sánchez', DOCUMENTO: '00000042', NACIMIENTO: '1999-03-17', NUMERO: '7574' };
  t.deepEqual(loadConfig({ env: { CLI_MODE: 'bet', ...bet, CLI_NUMERO: '12' }, cwd }).bet, {
    firstName: 'Belén', lastName: 'Sánchez', document: '00000042', birthdate: '1999-03-17', number: 12,
  });
  for (const [patch, key] of [
    [{ NOMBRE: '' }, 'NOMBRE'],
    [{ NOMBRE: '  ' }, 'NOMBRE'],
    [{ DOCUMENTO: '12a' }, 'DOCUMENTO'],
    [{ NACIMIENTO: '1999-02-30' }, 'NACIMIENTO'],
    [{ NUMERO: '10000' }, 'NUMERO'],
    [{ CLI_APELLIDO: ' ' }, 'CLI_APELLIDO'],
  ] as const) {
    const error = t.throws(() => loadConfig({ env: { CLI_MODE: 'bet', ...bet, ...patch }, cwd }), { instanceOf: ConfigError });
    t.is(error?.key, key, JSON.stringify(patch));
  }
});

test('the startup line logs the period back in Go syntax', t => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const config = loadConfig({ env: { CLI_LOOP_PERIOD: '1.5s' }, cwd: dirWith(COURSE_YAML) });
  createLogger({ name: 'client', level: 'DEBUG', out }).debug('config', 'success', configFields(config));
  t.true(text.includes(
    'DEBUG    action: config | result: success | client_id: 1 | server_address: server:12345 | loop_amount: 5 | loop_period: 1.5s | log_level: DEBUG | mode: agency | batch_max_amount: 50',
  ), text);
  t.is(configFields(loadConfig({ env: {}, cwd: dirWith(COURSE_YAML) })).loop_period, '100ms');
});

test('retry, timeouts, secret and in-flight keys: defaults, yaml, env; bad values name their key', t => {
  const cwd = dirWith(COURSE_YAML + 'timeouts:\n  request: "2s"\nbatch2: 1\n');
  t.like(loadConfig({ env: {}, cwd }), { connectRetry: 10_000, secret: '', connectTimeout: 5000, requestTimeout: 2000, winnersTimeout: 600_000, batchInFlight: 8 });
  const env = { CLI_SERVER_CONNECTRETRY: '1m', CLI_SERVER_SECRET: 's3cret', CLI_TIMEOUTS_CONNECT: '1s', CLI_TIMEOUTS_WINNERS: '1h', CLI_BATCH_INFLIGHT: '8' };
  t.like(loadConfig({ env, cwd }), { connectRetry: 60_000, secret: 's3cret', connectTimeout: 1000, winnersTimeout: 3_600_000, batchInFlight: 8 });
  for (const [key, value] of [['CLI_TIMEOUTS_REQUEST', '0s'], ['CLI_TIMEOUTS_CONNECT', 'soon'], ['CLI_BATCH_INFLIGHT', '0'], ['CLI_BATCH_INFLIGHT', '2000']] as const) {
    const error = t.throws(() => loadConfig({ env: { [key]: value }, cwd }), { instanceOf: ConfigError }, `${key}=${value}`);
    t.regex(error!.message, new RegExp(key), `${key}=${value}`);
  }
});
