import test from 'ava';
import {
  CLIENT_CONFIG_VOLUME,
  MAX_CLIENTS,
  SERVER_CONFIG_VOLUME,
  SUBNET,
  agencyFileVolume,
  composeFor,
} from './compose.js';
import { MODES } from './mode.js';
import { schemaErrors } from './test/schema.js';

for (const mode of MODES) {
  for (const clients of [0, 1, 3, 5]) {
    test(`${mode} mode, ${clients} clients`, (t) => {
      const file = composeFor({ clients, mode });
      const clientIds = Array.from({ length: clients }, (_, k) => k + 1);

      t.deepEqual(Object.keys(file), ['services', 'networks'], 'no name: or version: key');
      t.deepEqual(Object.keys(file.services), ['server', ...clientIds.map((i) => `client${i}`)]);
      t.deepEqual(file.services['server'], {
        container_name: 'server',
        image: 'server:latest',
        environment: [`AGENCIES=${clients}`],
        volumes: [SERVER_CONFIG_VOLUME],
        networks: ['testing_net'],
      });
      for (const i of clientIds) {
        const client = file.services[`client${i}`]!;
        t.is(client.container_name, `client${i}`);
        t.is(client.image, 'client:latest');
        t.deepEqual(client.environment.slice(0, 2), [`CLI_ID=${i}`, `CLI_MODE=${mode}`]);
        const betKeys = client.environment.slice(2).map((entry) => entry.split('=')[0]);
        t.deepEqual(betKeys, mode === 'bet' ? ['NOMBRE', 'APELLIDO', 'DOCUMENTO', 'NACIMIENTO', 'NUMERO'] : []);
        t.deepEqual(client.volumes, mode === 'agency' ? [CLIENT_CONFIG_VOLUME, agencyFileVolume(i)] : [CLIENT_CONFIG_VOLUME]);
        t.deepEqual(client.depends_on, ['server']);
        t.deepEqual(client.networks, ['testing_net']);
      }
      t.deepEqual(file.networks, { testing_net: { driver: 'bridge', ipam: { config: [{ subnet: SUBNET }] } } });
      t.deepEqual(schemaErrors(file), []);
    });
  }
}

test('paths match what the server and client images read', (t) => {
  t.is(SERVER_CONFIG_VOLUME, './packages/server/config.ini:/app/config.ini:ro');
  t.is(CLIENT_CONFIG_VOLUME, './packages/client/config.yaml:/app/config.yaml:ro');
  t.is(agencyFileVolume(3), './.data/agency-3.csv:/app/.data/agency-3.csv:ro');
  t.is(SUBNET, '172.25.125.0/24');
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
