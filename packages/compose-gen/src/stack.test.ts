import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import test from 'ava';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from './layout.js';
import { MODES } from './mode.js';
import { AGENCY_MAX_ATTEMPTS, SERVER_CONSTRAINT, STACK_VERSION, stackFor } from './stack.js';
import { run, tempDir } from './test/run.js';
import { schemaErrors } from './test/schema.js';

const placement = { outDir: '/repo/deploy', repoRoot: '/repo' };

for (const mode of MODES) {
  for (const clients of [0, 1, 5]) {
    test(`swarm, ${mode} mode, ${clients} clients`, (t) => {
      const file = stackFor({ clients, mode, placement });
      const ids = Array.from({ length: clients }, (_, k) => k + 1);
      t.deepEqual(Object.keys(file), ['version', 'services', 'networks', 'volumes', 'configs']);
      t.is(file.version, '3.8');
      t.deepEqual(Object.keys(file.services), ['server', ...ids.map((i) => `client${i}`)]);
      t.deepEqual(file.services['server'], {
        image: 'server:latest',
        environment: [`AGENCIES=${clients}`, 'BETS_FILE=/home/node/bets.csv'],
        configs: [{ source: 'server_config', target: '/app/config.ini' }],
        volumes: [{ type: 'volume', source: 'bets', target: '/home/node' }],
        networks: ['testing_net'],
        deploy: {
          endpoint_mode: 'dnsrr',
          placement: { constraints: ['node.labels.tp0.data == true'] },
          restart_policy: { condition: 'any' },
        },
      });
      for (const i of ids) {
        const client = file.services[`client${i}`]!;
        t.is(client.image, 'client:latest');
        t.deepEqual(client.environment.slice(0, 2), [`CLI_ID=${i}`, `CLI_MODE=${mode}`]);
        t.is(client.environment.length, mode === 'bet' ? 8 : 3);
        t.is(client.environment.at(-1), 'CLI_SERVER_CONNECTRETRY=60s', 'a longer retry window than config.yaml\'s 10 s');
        t.deepEqual(client.configs, [{ source: 'client_config', target: '/app/config.yaml' }]);
        const data = { type: 'bind', source: `/repo/.data/agency-${i}.csv`, target: `/app/.data/agency-${i}.csv`, read_only: true };
        t.deepEqual(client.volumes, mode === 'agency' ? [data] : undefined);
        t.deepEqual(client.networks, ['testing_net']);
        t.deepEqual(client.deploy, { endpoint_mode: 'dnsrr', restart_policy: { condition: 'on-failure', max_attempts: 3 } });
      }
      t.deepEqual(file.networks, { testing_net: { driver: 'overlay' } });
      t.deepEqual(file.volumes, { bets: {} });
      t.deepEqual(file.configs, {
        server_config: { file: '../packages/server/config.ini' },
        client_config: { file: '../packages/client/config.yaml' },
      });
      t.deepEqual(schemaErrors(file), []);
    });
  }
}

test('every service resolves by DNS round robin (no IPVS for a VIP) and has no Compose-only key', (t) => {
  const file = stackFor({ clients: 20, mode: 'agency', placement });
  for (const [name, service] of Object.entries(file.services)) {
    t.is(service.deploy.endpoint_mode, 'dnsrr', name);
    // `docker stack deploy` ignores these with a warning; the generator should not rely on them.
    for (const key of ['container_name', 'depends_on', 'build', 'ports']) t.false(key in service, `${name}: ${key}`);
  }
});

test('only agencies are bounded retries; the server alone is pinned to the data node', (t) => {
  const file = stackFor({ clients: 3, mode: 'agency', placement });
  t.is(SERVER_CONSTRAINT, 'node.labels.tp0.data == true');
  t.is(AGENCY_MAX_ATTEMPTS, 3);
  t.is(STACK_VERSION, '3.8');
  t.deepEqual(
    Object.entries(file.services).filter(([, s]) => s.deploy.placement !== undefined).map(([name]) => name),
    ['server'],
  );
});

test('configs are read relative to the stack file and exist; agency files are absolute paths into the repo', (t) => {
  const outDir = join(REPO_ROOT, 'packages/compose-gen');
  const file = stackFor({ clients: 2, mode: 'agency', placement: { outDir, repoRoot: REPO_ROOT } });
  for (const config of Object.values(file.configs)) {
    t.regex(config.file, /^\.\.\//);
    t.true(existsSync(resolve(outDir, config.file)), config.file);
  }
  t.deepEqual(
    ['client1', 'client2'].map((c) => file.services[c]!.volumes?.[0]?.source),
    [join(REPO_ROOT, '.data/agency-1.csv'), join(REPO_ROOT, '.data/agency-2.csv')],
  );
});

test('stackFor rejects a client count out of range', (t) => {
  t.throws(() => stackFor({ clients: 253, mode: 'agency' }), { instanceOf: RangeError });
});

// `docker stack config` (CLI 23+) runs the same loader as `docker stack deploy`, with no daemon and no swarm.
// Without that command this shows as skipped, with the reason in its title.
const probe = spawnSync('docker', ['stack', 'config', '--help'], { encoding: 'utf8' });
const hasStackConfig = probe.error === undefined && probe.status === 0;
const title = 'docker stack config reads the file as written';
(hasStackConfig ? test : test.skip)(hasStackConfig ? title : `${title} (no \`docker stack config\` in this CLI)`, (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'stack.yaml');
  writeFileSync(path, stringify(stackFor({ clients: 2, mode: 'agency', placement: { outDir: dir, repoRoot: REPO_ROOT } })));
  const result = run('docker', ['stack', 'config', '-c', path], dir);
  t.is(result.status, 0, result.stderr);
  const loaded = parse(result.stdout) as { services: Record<string, { deploy: { endpoint_mode: string } }>; configs: Record<string, { file: string }> };
  t.deepEqual(Object.keys(loaded.services).sort(), ['client1', 'client2', 'server']);
  t.is(loaded.services['client2']!.deploy.endpoint_mode, 'dnsrr');
  t.is(loaded.configs['server_config']!.file, join(REPO_ROOT, 'packages/server/config.ini'), 'resolved from the stack file folder');
});
