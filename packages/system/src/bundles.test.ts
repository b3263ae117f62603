import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseLogLine } from '@tp0/common';
import { NODE_FLAGS, nodeArgs } from './run/processes.js';
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

/** `node docker/bundle.mjs --out <work>/app`: the bundles and their startup snapshots. */
async function bundle(work: string): Promise<string> {
  const app = path.join(work, 'app');
  await promisify(execFile)(process.execPath, [path.join(REPO, 'docker/bundle.mjs'), '--out', app]);
  return app;
}

// Regression: the client once loaded `yaml` through createRequire, which esbuild cannot see: dist/main.js worked,
// the Docker image's bundle failed on every config.yaml. The bundles are what the images run, so run them alone:
// from their startup snapshots as the images and the local runner do, and the single bet from its script.
test('the Docker bundles run on their own: config files, a bet, an agency file and the draw', async t => {
  const work = await tempDir(t);
  const app = await bundle(work);
  const snapshot = (pkg: '@tp0/server' | '@tp0/client') => nodeArgs(pkg, { bundled: true, bundleDir: app });
  await writeFile(path.join(app, 'config.ini'), '[DEFAULT]\nSERVER_PORT = 0\nSERVER_IP = 127.0.0.1\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = DEBUG\nAGENCIES = 2\n');
  let reportPort: (port: number) => void;
  const port = new Promise<number>(resolve => (reportPort = resolve));
  const server = run(path.join(app, 'server.cjs'), app, {}, line => {
    const parsed = parseLogLine(line);
    if (parsed?.action === 'listen') reportPort(Number(parsed.fields['port']));
  }, snapshot('@tp0/server'));
  t.teardown(() => server.child.kill('SIGKILL'));
  const address = `127.0.0.1:${await port}`;
  await writeFile(path.join(app, 'config.yaml'), `server:\n  address: "${address}"\nloop:\n  amount: 1\n  period: "10ms"\nlog:\n  level: "INFO"\nbatch:\n  maxAmount: 2\n`);
  await writeAgencyCsv(path.join(work, 'agency-1.csv'), [bet('11', 5)]);
  await writeAgencyCsv(path.join(work, 'agency-2.csv'), [bet('00000042', 7574), bet('2', 1), bet('3', 7574)]);

  const single = await run(path.join(app, 'client.cjs'), app, {
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
    [1, 2].map(id => run(path.join(app, 'client.cjs'), app, { CLI_ID: String(id), CLI_DATA_FILE: path.join(work, `agency-${id}.csv`) }, undefined, snapshot('@tp0/client')).exited),
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

/** The JSON array of an exec-form Dockerfile instruction, spaced as the Dockerfiles write it. */
const execForm = (args: readonly string[]) => JSON.stringify(args).replaceAll('","', '", "');

test('each app starts from its startup snapshot, built under the V8 flags it runs with, in its image as here', async t => {
  const work = await tempDir(t);
  const app = await bundle(work);
  for (const [name, pkg, configKey] of [['server', '@tp0/server', 'CONFIG_FILE'], ['client', '@tp0/client', 'CLI_CONFIG_FILE']] as const) {
    const flags = NODE_FLAGS[name];
    const dockerfile = await readFile(path.join(REPO, `docker/${name}.Dockerfile`), 'utf8');
    const blob = `/app/${name}.blob`;
    t.true(dockerfile.includes(`RUN ${execForm(['node', ...flags, '--snapshot-blob', blob, '--build-snapshot', `/app/${name}.cjs`])}`), `${name}.Dockerfile builds its snapshot with ${flags.join(' ') || 'no flags'}`);
    t.true(dockerfile.includes(`ENTRYPOINT ${execForm(['node', ...flags, '--snapshot-blob', blob, `/app/${name}.cjs`])}`), `${name}.Dockerfile runs it with ${flags.join(' ') || 'no flags'}`);

    const env = { TP0_STARTUP_REPORT: '1', [configKey]: path.join(work, 'none') };
    const script = path.join(app, `${name}.cjs`);
    const fromSnapshot = await run(script, work, env, undefined, nodeArgs(pkg, { bundled: true, bundleDir: app })).exited;
    t.is(fromSnapshot.code, 1, name);
    t.regex(fromSnapshot.stderr, /^startup: snapshot\n/, name);
    t.regex(fromSnapshot.stderr, /none/, `${name} names the missing config file`);
    const fromScript = await run(script, work, env, undefined, flags).exited;
    t.regex(fromScript.stderr, /^startup: script\n/, `${name} without its snapshot`);
    if (flags.length > 0) {
      const otherFlags = await run(script, work, env, undefined, ['--snapshot-blob', path.join(app, `${name}.blob`)]).exited;
      t.regex(otherFlags.stderr, /different V8 configurations/, `${name}'s snapshot without its flags`);
    }
  }
});
