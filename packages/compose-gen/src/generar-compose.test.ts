import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { composeFor } from './compose.js';
import { stackFor } from './stack.js';
import { PACKAGE_DIR, REPO_ROOT, placementOf, run, tempDir } from './test/run.js';

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
  t.deepEqual(parse(readFileSync(out, 'utf8')), composeFor({ clients: 5, mode: 'bet', placement: placementOf(out) }));
});

test('generar-compose.sh passes --target swarm through', (t) => {
  const out = join(tempDir(t), 'stack.yaml');
  const result = run('bash', ['./generar-compose.sh', out, '3', '--target', 'swarm'], REPO_ROOT);
  t.is(result.status, 0, result.stderr);
  t.deepEqual(parse(readFileSync(out, 'utf8')), stackFor({ clients: 3, mode: 'agency', placement: placementOf(out) }));
});

test('generar-compose.sh passes the exit code of a usage error through', (t) => {
  const result = run('bash', ['./generar-compose.sh', join(tempDir(t), 'out.yaml'), '2.5'], REPO_ROOT);
  t.is(result.status, 2);
  t.regex(result.stderr, /"2\.5" is not a whole number/);
});

/** Every host path the file mounts, resolved from the file's folder (named volumes left out). */
function mountedHostPaths(out: string): string[] {
  const file = parse(readFileSync(out, 'utf8')) as { services: Record<string, { volumes: string[] }> };
  return Object.values(file.services)
    .flatMap((service) => service.volumes.map((volume) => volume.split(':')[0]!))
    .filter((source) => source.startsWith('.') || source.startsWith('/'))
    .map((source) => resolve(dirname(out), source));
}

// The design's own command. Regression: run by pnpm in packages/compose-gen, it wrote packages/compose-gen/out.yaml
// with mounts of packages/compose-gen/packages/client/config.yaml, which does not exist.
const places: Array<[string, string, (dir: string) => string[], (dir: string) => string]> = [
  ['the repo root', REPO_ROOT, (dir) => ['--filter', 'compose-gen', 'gen', relative(REPO_ROOT, join(dir, 'out.yaml'))], (dir) => join(dir, 'out.yaml')],
  ['packages/compose-gen', PACKAGE_DIR, (dir) => ['gen', relative(PACKAGE_DIR, join(dir, 'out.yaml'))], (dir) => join(dir, 'out.yaml')],
  ['a folder outside the repo (INIT_CWD)', '', () => ['--dir', REPO_ROOT, '--filter', 'compose-gen', 'gen', 'out.yaml'], (dir) => join(dir, 'out.yaml')],
];
for (const [where, cwd, argsFor, outFor] of places) {
  test(`pnpm gen from ${where} writes where it was run, with mounts that exist`, (t) => {
    const dir = tempDir(t);
    const out = outFor(dir);
    const result = run('pnpm', [...argsFor(dir), '5'], cwd || dir);
    t.is(result.status, 0, result.stderr);
    t.true(result.stdout.includes('Cantidad de clientes: 5\n'), result.stdout);
    t.deepEqual(parse(readFileSync(out, 'utf8')), composeFor({ clients: 5, mode: 'agency', placement: placementOf(out) }));
    const paths = mountedHostPaths(out);
    const agencyFiles = [1, 2, 3, 4, 5].map((i) => join(REPO_ROOT, `.data/agency-${i}.csv`));
    t.is(paths.length, 1 + 5 * 2);
    // The agency files are the repo's .data (made by `make data`, maybe not yet); everything else must exist.
    for (const path of paths) t.true(agencyFiles.includes(path) || existsSync(path), path);
    t.deepEqual(paths.filter((path) => agencyFiles.includes(path)), agencyFiles);
    t.false(existsSync(join(PACKAGE_DIR, 'out.yaml')), 'nothing written in packages/compose-gen');
  });
}
