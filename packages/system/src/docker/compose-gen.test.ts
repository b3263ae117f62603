// `pnpm --filter compose-gen gen OUT N`, the design's own command, run from the repo root and from the package's
// folder: docker-compose must read the file, and every host path it mounts must be this repo's file. Regression:
// run by pnpm in packages/compose-gen, it wrote mounts of packages/compose-gen/packages/client/config.yaml.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { checkPrerequisites, must, REPO_ROOT, run } from './harness.js';

test.before(checkPrerequisites);

const PACKAGE_DIR = path.join(REPO_ROOT, 'packages/compose-gen');
const CLIENTS = 3;

interface Normalized {
  services: Record<string, { volumes?: Array<string | { type: string; source: string }> }>;
}

/** A volume entry of `config`'s output: 1.29 prints `source:target:mode` with the source made absolute, v2 an object. */
function mount(volume: string | { type: string; source: string }): { type: string; source: string } {
  if (typeof volume !== 'string') return volume;
  const source = volume.slice(0, volume.indexOf(':'));
  return { type: source.startsWith('/') ? 'bind' : 'volume', source };
}

for (const [where, cwd] of [
  ['the repo root', REPO_ROOT],
  ['packages/compose-gen', PACKAGE_DIR],
] as const) {
  test(`generated from ${where}, docker-compose config accepts it and every bind source is the repo's file`, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-gen-e2e-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'out.yaml');
    const gen = await run('pnpm', ['--filter', 'compose-gen', 'gen', path.relative(cwd, out), String(CLIENTS)], { cwd });
    t.is(gen.code, 0, gen.stderr);
    t.true(existsSync(out), 'written where the relative OUT points from the working folder');

    // `config` prints the file as docker-compose understood it: bind sources resolved to absolute paths.
    const config = await run('docker-compose', ['-p', 'tp0e2e', '-f', out, 'config'], { cwd: dir });
    t.is(config.code, 0, config.stderr);
    const services = (parse(config.stdout) as Normalized).services;
    const mounts = Object.values(services).flatMap((s) => (s.volumes ?? []).map(mount));
    const binds = mounts.filter((m) => m.type === 'bind').map((m) => m.source);
    const agencyFiles = Array.from({ length: CLIENTS }, (_, k) => path.join(REPO_ROOT, `.data/agency-${k + 1}.csv`));
    t.is(binds.length, 1 + 2 * CLIENTS);
    t.deepEqual(binds.filter((source) => agencyFiles.includes(source)), agencyFiles, 'agency files from the repo’s .data');
    // The agency files exist once `make data` ran; the configs always do.
    for (const source of binds.filter((s) => !agencyFiles.includes(s))) t.true(existsSync(source), source);
    t.deepEqual(mounts.filter((m) => m.type === 'volume').map((m) => m.source), [], 'no named volume: bets.csv lives in the server container');
  });
}

// Debian's docker.io CLI (20.10) has no `stack config`: then this shows as skipped (swarm.test.ts deploys the file).
const hasStackConfig = spawnSync('docker', ['stack', 'config', '--help']).status === 0;
const stackTitle = 'the stack file from --target swarm: docker stack config reads its configs from the repo';
(hasStackConfig ? test : test.skip)(hasStackConfig ? stackTitle : `${stackTitle} (no \`docker stack config\`)`, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'compose-gen-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await must('pnpm', ['gen', path.relative(PACKAGE_DIR, path.join(dir, 'stack.yaml')), '2', '--target', 'swarm'], { cwd: PACKAGE_DIR });
  const loaded = parse(await must('docker', ['stack', 'config', '-c', path.join(dir, 'stack.yaml')])) as { configs: Record<string, { file: string }> };
  t.is(loaded.configs['server_config']?.file, path.join(REPO_ROOT, 'packages/server/config.ini'));
  t.is(loaded.configs['client_config']?.file, path.join(REPO_ROOT, 'packages/client/config.yaml'));
});
