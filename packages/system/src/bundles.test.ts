import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseLogLine } from '@tp0/common';
import { appCommand, type AppCommand } from './run/processes.js';
import { bet, tempDir, writeAgencyCsv } from './test/helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs an app with `cwd` as its only surroundings; resolves with its stdout lines once it exits. */
function run(command: AppCommand, cwd: string, env: NodeJS.ProcessEnv, onLine?: (line: string) => void) {
  const child = spawn(process.execPath, [...command.nodeArgs, command.script], { cwd, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** `node docker/bundle.mjs --out <work>/app`: the bundles. */
async function bundle(work: string): Promise<string> {
  const app = path.join(work, 'app');
  await promisify(execFile)(process.execPath, [path.join(REPO, 'docker/bundle.mjs'), '--out', app]);
  return app;
}

// Regression: the client once loaded `yaml` through createRequire, which esbuild cannot see: dist/main.js worked,
// the Docker image's bundle failed on every config.yaml. The bundles are what the images run, so run them alone,
// as the images' ENTRYPOINTs do.
test('the Docker bundles run on their own: config files, a bet, an agency file and the draw', async t => {
  const work = await tempDir(t);
  const app = await bundle(work);
  const server = appCommand('@tp0/server', { bundled: true, bundleDir: app });
  const client = appCommand('@tp0/client', { bundled: true, bundleDir: app });
  await writeFile(path.join(app, 'config.ini'), '[DEFAULT]\nSERVER_PORT = 0\nSERVER_IP = 127.0.0.1\nSERVER_LISTEN_BACKLOG = 5\nLOGGING_LEVEL = DEBUG\nAGENCIES = 2\n');
  let reportPort: (port: number) => void;
  const port = new Promise<number>(resolve => (reportPort = resolve));
  const serverRun = run(server, app, {}, line => {
    const parsed = parseLogLine(line);
    if (parsed?.action === 'listen') reportPort(Number(parsed.fields['port']));
  });
  t.teardown(() => serverRun.child.kill('SIGKILL'));
  const address = `127.0.0.1:${await port}`;
  await writeFile(path.join(app, 'config.yaml'), `server:\n  address: "${address}"\nloop:\n  amount: 1\n  period: "10ms"\nlog:\n  level: "INFO"\nbatch:\n  maxAmount: 2\n`);
  await writeAgencyCsv(path.join(work, 'agency-1.csv'), [bet('11', 5)]);
  await writeAgencyCsv(path.join(work, 'agency-2.csv'), [bet('00000042', 7574), bet('2', 1), bet('3', 7574)]);

  const single = await run(client, app, {
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
    [1, 2].map(id => run(client, app, { CLI_ID: String(id), CLI_DATA_FILE: path.join(work, `agency-${id}.csv`) }).exited),
  );
  // Agency 1's winner is its single bet above; agency 2 has two winning rows in its file.
  for (const [index, winners] of [1, 2].entries()) {
    const agency = agencies[index]!;
    t.is(agency.code, 0, agency.stderr);
    t.true(agency.lines.some(l => l.includes(`action: consulta_ganadores | result: success | cant_ganadores: ${winners}`)), agency.lines.join('\n'));
  }

  serverRun.child.kill('SIGTERM');
  const stopped = await serverRun.exited;
  t.is(stopped.code, 0, stopped.stderr);
  t.true(stopped.lines.some(l => l.includes('action: sorteo | result: success')));
  const stored = await readFile(path.join(app, 'bets.csv'), 'utf8');
  t.true(stored.includes('1,Ñandú,Saldaña,30904465,1999-03-17,7574'));
  t.true(stored.includes('2,Belén,Sánchez,00000042,1999-03-17,7574'));
});


// The images hold one script each and start it plainly: whatever the ENTRYPOINT passes node besides the script is a
// flag, and a bundle that cannot start under those flags fails here rather than in a container.
test('each image runs node on its one bundle, under flags the bundle starts with', async t => {
  const work = await tempDir(t);
  const app = await bundle(work);
  for (const [pkg, name, configKey] of [['@tp0/server', 'server', 'CONFIG_FILE'], ['@tp0/client', 'client', 'CLI_CONFIG_FILE']] as const) {
    const command = appCommand(pkg, { bundled: true, bundleDir: app });
    t.is(command.script, path.join(app, `${name}.cjs`));
    t.deepEqual(command.nodeArgs.filter(arg => !/^--[a-z-]+(=\S+)?$/.test(arg)), [], `${name}.Dockerfile passes node flags only`);
    const missing = path.join(work, 'none');
    const started = await run(command, work, { [configKey]: missing }).exited;
    t.is(started.code, 1, `${name}: ${started.stderr}`);
    t.true(started.stderr.includes(missing), `${name} names the missing config file: ${started.stderr}`);
  }
});

test('a Dockerfile without an exec-form node ENTRYPOINT is refused, naming the file', async t => {
  const docker = await tempDir(t);
  await writeFile(path.join(docker, 'server.Dockerfile'), 'FROM tp0/node-base:local\nENTRYPOINT node /app/server.cjs\n');
  const error = t.throws(() => appCommand('@tp0/server', { dockerDir: docker }));
  t.true(error.message.startsWith(path.join(docker, 'server.Dockerfile')), error.message);
});
