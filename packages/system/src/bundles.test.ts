import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseLogLine } from '@tp0/common';
import { NODE_FLAGS } from './run/processes.js';
import { bet, tempDir, writeAgencyCsv } from './test/helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs a bundle with `cwd` as its only surroundings; resolves with its stdout lines once it exits. */
function run(script: string, cwd: string, env: NodeJS.ProcessEnv, onLine?: (line: string) => void, nodeArgs: readonly string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, lines, stderr }));
  return { child, exited };
}

// Regression: the client once loaded `yaml` through createRequire, which esbuild cannot see: dist/main.js worked,
// the Docker image's bundle failed on every config.yaml. The bundles are what the images run, so run them alone.
test('the Docker bundles run on their own: config files, a bet, an agency file and the draw', async t => {
  const work = await tempDir(t);
  const app = path.join(work, 'app');
  await promisify(execFile)(process.execPath, [path.join(REPO, 'docker/bundle.mjs'), '--out', app]);
  await writeFile(path.join(app, 'config.ini'), '[DEFAULT]\nSERVER_PORT = 0\nSERVER_IP = 127.0.0.1\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = DEBUG\nAGENCIES = 2\n');
  let reportPort: (port: number) => void;
  const port = new Promise<number>(resolve => (reportPort = resolve));
  const server = run(path.join(app, 'server.mjs'), app, {}, line => {
    const parsed = parseLogLine(line);
    if (parsed?.action === 'listen') reportPort(Number(parsed.fields['port']));
  });
  t.teardown(() => server.child.kill('SIGKILL'));
  const address = `127.0.0.1:${await port}`;
  await writeFile(path.join(app, 'config.yaml'), `server:\n  address: "${address}"\nloop:\n  amount: 1\n  period: "10ms"\nlog:\n  level: "INFO"\nbatch:\n  maxAmount: 2\n`);
  await writeAgencyCsv(path.join(work, 'agency-1.csv'), [bet('11', 5)]);
  await writeAgencyCsv(path.join(work, 'agency-2.csv'), [bet('00000042', 7574), bet('2', 1), bet('3', 7574)]);

  const single = await run(path.join(app, 'client.mjs'), app, {
    CLI_ID: '1',
    CLI_MODE: 'bet',
    NOMBRE: 'Ñandú',
    APELLIDO: 'Saldaña',
    DOCUMENTO: '30904465',
    NACIMIENTO: '1999-03-17',
    NUMERO: '7574',
  }).exited;
  t.is(single.code, 0, single.stderr);
  t.true(single.lines.some(l => l.includes('action: apuesta_enviada | result: success | dni: 30904465 | numero: 7574')));

  const agencies = await Promise.all(
    [1, 2].map(id => run(path.join(app, 'client.mjs'), app, { CLI_ID: String(id), CLI_DATA_FILE: path.join(work, `agency-${id}.csv`) }).exited),
  );
  // Agency 1's winner is its single bet above; agency 2 has two winning rows in its file.
  for (const [index, winners] of [1, 2].entries()) {
    const agency = agencies[index]!;
    t.is(agency.code, 0, agency.stderr);
    t.true(agency.lines.some(l => l.includes(`action: consulta_ganadores | result: success | cant_ganadores: ${winners}`)), agency.lines.join('\n'));
  }

  server.child.kill('SIGTERM');
  const stopped = await server.exited;
  t.is(stopped.code, 0, stopped.stderr);
  t.true(stopped.lines.some(l => l.includes('action: sorteo | result: success')));
  const stored = await readFile(path.join(app, 'bets.csv'), 'utf8');
  t.true(stored.includes('1,Ñandú,Saldaña,30904465,1999-03-17,7574'));
  t.true(stored.includes('2,Belén,Sánchez,00000042,1999-03-17,7574'));
});

test('each bundle starts with the V8 code cache written beside it, under the flags its image runs it with', async t => {
  const work = await tempDir(t);
  const app = path.join(work, 'app');
  await promisify(execFile)(process.execPath, [path.join(REPO, 'docker/bundle.mjs'), '--out', app]);
  for (const [name, configKey] of [['server', 'CONFIG_FILE'], ['client', 'CLI_CONFIG_FILE']] as const) {
    const dockerfile = await readFile(path.join(REPO, `docker/${name}.Dockerfile`), 'utf8');
    t.true(dockerfile.includes(`ENTRYPOINT ${JSON.stringify(['node', ...NODE_FLAGS[name], `/app/${name}.mjs`]).replaceAll('","', '", "')}`), `${name}.Dockerfile runs node with ${NODE_FLAGS[name].join(' ') || 'no flags'}`);
    const env = { TP0_CODE_CACHE_REPORT: '1', [configKey]: path.join(work, 'none') };
    const { code, stderr } = await run(path.join(app, `${name}.mjs`), work, env, undefined, NODE_FLAGS[name]).exited;
    t.is(code, 1, name);
    t.regex(stderr, /^code cache: accepted\n/, name);
    t.regex(stderr, /none/, `${name} names the missing config file`);
    if (NODE_FLAGS[name].length > 0) t.regex((await run(path.join(app, `${name}.mjs`), work, env).exited).stderr, /^code cache: rejected\n/, `${name} without its flags`);
  }
});
