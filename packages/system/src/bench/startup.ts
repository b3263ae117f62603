/**
 * Agency start-up: from spawning the agency (the Docker bundle, as the local runner starts it) to its first
 * `bet_batch` arriving at a server on 127.0.0.1, beside `node -e ''` (the floor no code of ours can go under),
 * interleaved, with and without NODE_EXTRA_CA_CERTS when this shell has it.
 *
 *   pnpm --filter @tp0/system bench:startup      (node dist/bench/startup.js [--runs 20])
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Connection, detectProtocol } from '@tp0/codec';
import { lotteryProtocol, type LotteryRequest, type LotteryResponse } from '@tp0/protocol';
import { integerFlag } from '../cli-args.js';
import { appCommand } from '../run/processes.js';
import { describeMachine, loadAverage, median, nodeStartupMs, table, withoutExtraCaCerts } from './machine.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const RUNS = integerFlag('runs', values.runs, 3, 1000);
/** The agency as its image and the local runner start it: the bundle, under the ENTRYPOINT's flags. */
const AGENCY = appCommand('@tp0/client', { bundled: true });
const AGENCY_ARGS = [...AGENCY.nodeArgs, AGENCY.script];

/** A lottery server that answers hello with "nothing stored" and reports when each agency's first batch arrives. */
async function firstBatchServer(): Promise<{ port: number; firstBatch: (agency: number) => Promise<number>; close: () => void }> {
  const waiting = new Map<number, (at: number) => void>();
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    void (async () => {
      const selection = await detectProtocol(socket, [lotteryProtocol]);
      const connection = new Connection<LotteryRequest, LotteryResponse>(socket, lotteryProtocol.codec, { selection });
      const hello = await connection.receive();
      if (hello.type !== 'hello') throw new Error(`expected hello, got ${hello.type}`);
      await connection.send({ type: 'resume', agency: hello.agency, stored: 0, finished: 0 });
      const batch = await connection.receive();
      const at = performance.now();
      if (batch.type === 'bet_batch') waiting.get(batch.agency)?.(at);
      socket.destroy();
    })().catch(() => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    firstBatch: (agency) => new Promise((resolve) => waiting.set(agency, resolve)),
    close: () => server.close(),
  };
}

async function agencyToFirstBatch(port: number, dataFile: string, env: NodeJS.ProcessEnv, agency: number, server: Awaited<ReturnType<typeof firstBatchServer>>): Promise<number> {
  const arrived = server.firstBatch(agency);
  const started = performance.now();
  const child = spawn(process.execPath, AGENCY_ARGS, {
    stdio: 'ignore',
    env: {
      ...env,
      CLI_ID: String(agency),
      CLI_MODE: 'agency',
      CLI_SERVER_ADDRESS: `127.0.0.1:${port}`,
      CLI_DATA_FILE: dataFile,
      CLI_LOG_LEVEL: 'INFO',
      CLI_SERVER_CONNECTRETRY: '0s',
    },
  });
  const at = await arrived;
  child.kill('SIGKILL');
  await once(child, 'exit');
  return at - started;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tp0-startup-'));
  try {
    const dataFile = path.join(dir, 'agency.csv');
    await writeFile(dataFile, 'Belén,Sánchez,30904465,1999-03-17,7574\r\n');
    const server = await firstBatchServer();
    const envs: [string, NodeJS.ProcessEnv][] = [['runner env (no NODE_EXTRA_CA_CERTS)', withoutExtraCaCerts()]];
    if (process.env['NODE_EXTRA_CA_CERTS']) envs.push(['with NODE_EXTRA_CA_CERTS', process.env]);
    const loadAtStart = loadAverage();
    const samples = new Map<string, number[]>();
    const add = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
    let agency = 0;
    // One warm-up of each (file cache), then the runs interleaved.
    for (let run = 0; run <= RUNS; run++) {
      for (const [name, env] of envs) {
        const [floor = NaN] = await nodeStartupMs(1, env);
        const first = await agencyToFirstBatch(server.port, dataFile, env, ++agency, server);
        if (run === 0) continue;
        add(`node -e '' | ${name}`, floor);
        add(`agency spawn → first bet_batch | ${name}`, first);
      }
    }
    server.close();
    const ms = (v: number) => v.toFixed(0);
    console.log(`machine: ${describeMachine()}`);
    console.log(`load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadAverage().map((l) => l.toFixed(2)).join(' ')}`);
    const agencyCommand = ['node', ...AGENCY_ARGS].map((arg) => (path.isAbsolute(arg) ? path.relative(process.cwd(), arg) : arg));
    console.log(`${RUNS} runs each, interleaved, after one warm-up; agency = ${agencyCommand.join(' ')}, 1-row file\n`);
    console.log(
      table(
        ['what | environment', 'median ms', 'min', 'max'],
        [...samples].map(([key, values]) => [key, ms(median(values)), ms(Math.min(...values)), ms(Math.max(...values))]),
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
