import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { composeFor } from './compose.js';
import { PACKAGE_DIR, REPO_ROOT, run, tempDir } from './test/run.js';

// The script runs dist/cli.js: build it from the current source first, or a stale build is tested.
test.before(() => {
  const build = run('pnpm', ['run', 'build'], PACKAGE_DIR);
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
});

test('generar-compose.sh forwards its arguments to the CLI', (t) => {
  const out = join(tempDir(t), 'docker-compose-dev.yaml');
  const result = run('bash', ['./generar-compose.sh', out, '5', '--mode', 'bet'], REPO_ROOT);
  t.is(result.status, 0, result.stderr);
  t.is(result.stdout, `Nombre del archivo de salida: ${out}\nCantidad de clientes: 5\n`);
  t.deepEqual(parse(readFileSync(out, 'utf8')), composeFor({ clients: 5, mode: 'bet' }));
});

test('generar-compose.sh passes the exit code of a usage error through', (t) => {
  const result = run('bash', ['./generar-compose.sh', join(tempDir(t), 'out.yaml'), '2.5'], REPO_ROOT);
  t.is(result.status, 2);
  t.regex(result.stderr, /"2\.5" is not a whole number/);
});
