import test from 'ava';
import { PassThrough } from 'node:stream';
import { ConfigError, createLogger, formatDuration, formatLogLine, parseDuration, parseLevel, parseLogLine } from './index.js';

const LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (DEBUG|INFO|WARNING|ERROR|CRITICAL) +action: /;

function capture() {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { out, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

test('formats the course line and parses it back the way the black-box tests do', t => {
  const line = formatLogLine('apuesta_enviada', 'success', { dni: '00000042', numero: 7574, note: 'a|b\nc' });
  t.is(line, 'action: apuesta_enviada | result: success | dni: 00000042 | numero: 7574 | note: a/b c');
  t.deepEqual(parseLogLine(`2026-01-01 00:00:00 INFO     ${line}`), {
    action: 'apuesta_enviada',
    result: 'success',
    fields: { dni: '00000042', numero: '7574', note: 'a/b c' },
  });
  t.is(parseLogLine('no action here'), null);
});

test('logger prints timestamp, padded level and the line; filters by level', t => {
  const { out, lines } = capture();
  const log = createLogger({ name: 't', level: 'INFO', out });
  log.debug('hidden', 'success');
  log.info('config', 'success', { port: 12345 });
  log.warning('w', 'fail');
  const printed = lines();
  t.is(printed.length, 2);
  t.regex(printed[0]!, LINE);
  t.true(printed[0]!.includes('INFO     action: config | result: success | port: 12345'));
  t.true(printed[1]!.includes('WARNING  action: w | result: fail'));
});

test('json format prints bunyan records with action, result and fields', t => {
  const { out, lines } = capture();
  createLogger({ name: 'srv', level: 'DEBUG', out, format: 'json' }).debug('sorteo', 'success', { winners: 3 });
  const record = JSON.parse(lines()[0]!);
  t.is(record.name, 'srv');
  t.is(record.action, 'sorteo');
  t.deepEqual(record.fields, { winners: 3 });
  t.is(record.msg, 'action: sorteo | result: success | winners: 3');
});

test('levels: course names, aliases, clear error naming the key', t => {
  t.is(parseLevel('debug', 'LOGGING_LEVEL'), 'DEBUG');
  t.is(parseLevel('WARN', 'LOGGING_LEVEL'), 'WARNING');
  const err = t.throws(() => parseLevel('LOUD', 'LOGGING_LEVEL'), { instanceOf: ConfigError });
  t.regex(err.message, /LOGGING_LEVEL.*"LOUD"/);
});

test('Go durations parse and print back as Go does', t => {
  for (const [text, ms] of [['100ms', 100], ['5s', 5000], ['1m30s', 90_000], ['1.5h', 5_400_000], ['0', 0], ['250us', 0.25]] as const) {
    t.is(parseDuration(text), ms, text);
  }
  for (const text of ['100ms', '5s', '1m30s', '1h0m0s', '1.5s', '0s', '250µs']) {
    t.is(formatDuration(parseDuration(text)), text);
  }
  for (const bad of ['', '5', 'ms', '5 s', '-1s', '1d', '1.2.3s']) {
    t.throws(() => parseDuration(bad, 'loop.period'), { instanceOf: ConfigError, message: /loop\.period/ }, bad);
  }
});
