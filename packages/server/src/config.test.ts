import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@tp0/common';
import { loadConfig, parseConfig } from './config.js';
import { tempDir } from './test/helpers.js';

const FILE = {
  SERVER_PORT: '12345',
  SERVER_IP: '0.0.0.0',
  SERVER_LISTEN_BACKLOG: '5',
  LOGGING_LEVEL: 'DEBUG',
  AGENCIES: '5',
};

test('reads [DEFAULT] from CONFIG_FILE, with defaults for BETS_FILE and FSYNC', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'config.ini');
  await writeFile(path, '[DEFAULT]\nSERVER_PORT = 12345\nSERVER_IP = server\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = info\nAGENCIES = 5\n');
  t.deepEqual(loadConfig({ CONFIG_FILE: path }), {
    port: 12345,
    ip: 'server',
    listenBacklog: 5,
    loggingLevel: 'INFO',
    agencies: 5,
    betsFile: './bets.csv',
    fsync: 'none',
    idleTimeout: 60_000,
    agencySecrets: new Map(),
  });
});

test('the package config.ini holds the course defaults', (t) => {
  const config = loadConfig({ CONFIG_FILE: new URL('../config.ini', import.meta.url).pathname });
  t.like(config, { port: 12345, listenBacklog: 5, loggingLevel: 'INFO', agencies: 5, betsFile: './bets.csv', fsync: 'none' });
});

test('env variables override the file key by key; empty SERVER_IP means all interfaces', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'config.ini');
  await writeFile(path, '[DEFAULT]\nSERVER_PORT = 12345\nSERVER_IP = server\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = DEBUG\nAGENCIES = 5\n');
  const config = loadConfig({ CONFIG_FILE: path, SERVER_PORT: '0', SERVER_IP: '', AGENCIES: '0', BETS_FILE: '/tmp/b.csv', FSYNC: 'batch' });
  t.like(config, { port: 0, ip: '', listenBacklog: 5, agencies: 0, betsFile: '/tmp/b.csv', fsync: 'batch' });
});

test('a missing config file is an error naming its path', (t) => {
  const err = t.throws(() => loadConfig({ CONFIG_FILE: '/nonexistent/tp0/config.ini' }), { instanceOf: ConfigError });
  t.regex(err.message, /CONFIG_FILE.*\/nonexistent\/tp0\/config\.ini.*ENOENT/);
});

test('each missing or invalid value is named', (t) => {
  const cases: Array<[Record<string, string | undefined>, RegExp]> = [
    [{ SERVER_PORT: undefined }, /missing value for SERVER_PORT/],
    [{ SERVER_PORT: '70000' }, /SERVER_PORT: "70000"/],
    [{ SERVER_PORT: 'http' }, /SERVER_PORT: "http"/],
    [{ SERVER_IP: undefined }, /missing value for SERVER_IP/],
    [{ SERVER_LISTEN_BACKLOG: '0' }, /SERVER_LISTEN_BACKLOG: "0"/],
    [{ SERVER_LISTEN_BACKLOG: '-5' }, /SERVER_LISTEN_BACKLOG: "-5"/],
    [{ LOGGING_LEVEL: 'LOUD' }, /LOGGING_LEVEL: "LOUD"/],
    [{ AGENCIES: '-1' }, /AGENCIES: "-1"/],
    [{ AGENCIES: '2.5' }, /AGENCIES: "2.5"/],
    [{ AGENCIES: undefined }, /missing value for AGENCIES/],
    [{ FSYNC: 'always' }, /FSYNC: "always"/],
    [{ BETS_FILE: ' ' }, /BETS_FILE/],
  ];
  for (const [patch, message] of cases) {
    const file: Record<string, string> = { ...FILE };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete file[key];
      else file[key] = value;
    }
    t.throws(() => parseConfig(file), { instanceOf: ConfigError, message }, JSON.stringify(patch));
  }
});

test('an invalid env override is named too', (t) => {
  t.throws(() => parseConfig(FILE, { SERVER_PORT: 'abc' }), { instanceOf: ConfigError, message: /SERVER_PORT: "abc"/ });
});
