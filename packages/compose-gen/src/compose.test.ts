import test from 'ava';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BETS_VOLUME_MOUNT,
  MAX_CLIENTS,
  SUBNET,
  agencyFileVolume,
  clientConfigVolume,
  composeFor,
  serverConfigVolume,
} from './compose.js';
import { REPO_ROOT } from './layout.js';
import { MODES } from './mode.js';
import { schemaErrors } from './test/schema.js';

for (const mode of MODES) {
  for (const clients of [0, 1, 3, 5]) {
    test(`${mode} mode, ${clients} clients`, (t) => {
      const file = composeFor({ clients, mode });
      const clientIds = Array.from({ length: clients }, (_, k) => k + 1);

      t.deepEqual(Object.keys(file), ['services', 'networks'], 'no name:, version: or volumes: key');
      t.deepEqual(Object.keys(file.services), ['server', ...clientIds.map((i) => `client${i}`)]);
      t.deepEqual(file.services['server'], {
        container_name: 'server',
        image: 'server:latest',
        environment: [`AGENCIES=${clients}`, 'BETS_FILE=/home/node/bets.csv'],
        volumes: [serverConfigVolume()],
        networks: ['testing_net'],
        restart: 'on-failure',
      });
      for (const i of clientIds) {
        const client = file.services[`client${i}`]!;
        t.is(client.container_name, `client${i}`);
        t.is(client.image, 'client:latest');
        t.deepEqual(client.environment.slice(0, 2), [`CLI_ID=${i}`, `CLI_MODE=${mode}`]);
        const betKeys = client.environment.slice(2).map((entry) => entry.split('=')[0]);
        t.deepEqual(betKeys, mode === 'bet' ? ['NOMBRE', 'APELLIDO', 'DOCUMENTO', 'NACIMIENTO', 'NUMERO'] : []);
        t.deepEqual(client.volumes, mode === 'agency' ? [clientConfigVolume(), agencyFileVolume(i)] : [clientConfigVolume()]);
        t.deepEqual(client.depends_on, ['server']);
        t.deepEqual(client.networks, ['testing_net']);
      }
      t.deepEqual(file.networks, { testing_net: { driver: 'bridge', ipam: { config: [{ subnet: SUBNET }] } } });
      t.deepEqual(schemaErrors(file), []);
    });
  }
}

// Regression: bets.csv lived on the named volume by default, so `down` then `up` resumed the old lottery and the
// course's tests, which write new agency files between the two, failed with `leer_apuestas | result: fail`.
test('by default no volume outlives down: bets.csv is in the server container', (t) => {
  const file = composeFor({ clients: 3, mode: 'agency' });
  t.is(file.volumes, undefined);
  for (const service of Object.values(file.services)) {
    t.deepEqual(service.volumes.filter((volume) => !/^\.\.?\//.test(volume)), [], 'only bind mounts of repo files');
  }
});

test('keepBets: bets.csv on the named volume bets, mounted on the server home', (t) => {
  const file = composeFor({ clients: 2, mode: 'agency', keepBets: true });
  t.deepEqual(file.volumes, { bets: {} });
  t.deepEqual(file.services['server']!.volumes, [serverConfigVolume(), BETS_VOLUME_MOUNT]);
  t.is(file.services['client1']!.volumes.includes(BETS_VOLUME_MOUNT), false);
  t.deepEqual(schemaErrors(file), []);
});

test('paths match what the server and client images read', (t) => {
  t.is(serverConfigVolume(), './packages/server/config.ini:/app/config.ini:ro');
  t.is(clientConfigVolume(), './packages/client/config.yaml:/app/config.yaml:ro');
  t.is(agencyFileVolume(3), './.data/agency-3.csv:/app/.data/agency-3.csv:ro');
  t.is(BETS_VOLUME_MOUNT, 'bets:/home/node');
  t.is(SUBNET, '172.25.125.0/24');
});

// Regression: the paths were fixed as ./packages/..., right only for a file at the repo root, so `pnpm --filter
// compose-gen gen out.yaml 5` (run in packages/compose-gen) wrote mounts of packages/compose-gen/packages/....
const placements: Array<[string, string, string]> = [
  ['the repo root', '/repo', './packages/server/config.ini'],
  ['a package folder', '/repo/packages/compose-gen', '../server/config.ini'],
  ['a subfolder', '/repo/deploy/one', '../../packages/server/config.ini'],
  ['a folder outside the repo', '/tmp/out', '../../repo/packages/server/config.ini'],
];
for (const [where, outDir, serverConfig] of placements) {
  test(`host paths from a file in ${where} point into the repo`, (t) => {
    const placement = { outDir, repoRoot: '/repo' };
    const file = composeFor({ clients: 2, mode: 'agency', placement });
    t.is(file.services['server']!.volumes[0], `${serverConfig}:/app/config.ini:ro`);
    const sources = Object.values(file.services).flatMap((s) => s.volumes.map((v) => v.split(':')[0]!)).filter((v) => v !== 'bets');
    t.deepEqual(
      sources.map((source) => resolve(outDir, source)),
      [
        '/repo/packages/server/config.ini',
        '/repo/packages/client/config.yaml',
        '/repo/.data/agency-1.csv',
        '/repo/packages/client/config.yaml',
        '/repo/.data/agency-2.csv',
      ],
    );
    // Compose reads a source as a path only when it starts with . or /; otherwise it is a volume name.
    for (const source of sources) t.regex(source, /^\.\.?\//);
    t.deepEqual(schemaErrors(file), []);
  });
}

test('the config files the default file mounts exist in this repo', (t) => {
  for (const volume of [serverConfigVolume(), clientConfigVolume()]) t.true(existsSync(resolve(REPO_ROOT, volume.split(':')[0]!)), volume);
});

test('client 1 bets the course example in bet mode', (t) => {
  const env = composeFor({ clients: 1, mode: 'bet' }).services['client1']!.environment;
  t.deepEqual(env, [
    'CLI_ID=1',
    'CLI_MODE=bet',
    'NOMBRE=Santiago',
    'APELLIDO=Lorca',
    'DOCUMENTO=30904465',
    'NACIMIENTO=1999-03-17',
    'NUMERO=7574',
  ]);
});

test('the largest network still validates', (t) => {
  const file = composeFor({ clients: MAX_CLIENTS, mode: 'bet' });
  t.is(Object.keys(file.services).length, MAX_CLIENTS + 1);
  t.deepEqual(schemaErrors(file), []);
});

for (const clients of [-1, 2.5, Number.NaN, MAX_CLIENTS + 1]) {
  test(`composeFor rejects ${clients} clients`, (t) => {
    t.throws(() => composeFor({ clients, mode: 'echo' }), { instanceOf: RangeError, message: /clients must be an integer/ });
  });
}

// Without these, a validator that accepts everything would pass every test above.
test('the schema check rejects a non-string image', (t) => {
  const file = composeFor({ clients: 1, mode: 'echo' }) as unknown as { services: { client1: { image: unknown } } };
  file.services.client1.image = 42;
  t.like(schemaErrors(file)[0], { instancePath: '/services/client1/image', keyword: 'type' });
});

test('the schema check rejects a top-level name: key (docker-compose 1.29 does too)', (t) => {
  const file = { name: 'tp0', ...composeFor({ clients: 1, mode: 'echo' }) };
  t.like(schemaErrors(file)[0], { keyword: 'additionalProperties', params: { additionalProperty: 'name' } });
});

test('the schema check rejects a malformed subnet', (t) => {
  const file = composeFor({ clients: 0, mode: 'echo' });
  file.networks['testing_net']!.ipam.config[0]!.subnet = '172.25.125.0';
  t.like(schemaErrors(file)[0], { keyword: 'format' });
});
