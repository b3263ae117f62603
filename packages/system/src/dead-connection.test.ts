/**
 * An agency whose TCP connection dies while it waits for the draw still gets its winners, end to end with the built
 * server and agency processes on 127.0.0.1: agency 1 talks to the server through a small proxy written here, which
 * resets agency 1's side while its winners query waits and keeps the server's side open, as a NAT or a dropped Wi-Fi
 * link would (the server is not told). The agency reconnects, its `hello` takes its agency over from that dead
 * connection, and every agency gets its own winners from one draw.
 */
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { generateAgencyFiles } from './gen-data.js';
import type { Child } from './run/child.js';
import { startClientProcess, startServerProcess } from './run/processes.js';
import { summarize } from './run/summary.js';
import { tempDir } from './test/helpers.js';

interface Proxied {
  readonly agency: net.Socket;
  readonly server: net.Socket;
}

/** A TCP proxy to `port`; `pairs` lists each connection through it, agency side and server side. */
async function proxy(port: number): Promise<{ port: number; pairs: Proxied[]; close(): void }> {
  const pairs: Proxied[] = [];
  const listener = net.createServer((agency) => {
    const server = net.connect(port, '127.0.0.1');
    agency.on('error', () => {});
    server.on('error', () => {});
    agency.pipe(server);
    server.pipe(agency);
    pairs.push({ agency, server });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return {
    port: (listener.address() as net.AddressInfo).port,
    pairs,
    close: () => {
      for (const pair of pairs) pair.agency.destroy(), pair.server.destroy();
      listener.close();
    },
  };
}

const waitingFor1 = (server: Child) => server.lines.filter((l) => /action: consulta_ganadores \| result: in_progress \| .*agencia: 1\b/.test(l.text)).length;

test('an agency whose connection is reset while it waits for the draw reconnects, takes its agency over and gets its winners; so does everyone', async (t) => {
  const dir = await tempDir(t);
  const files = generateAgencyFiles({ out: path.join(dir, 'data'), agencies: 3, bets: 300, seed: 20, winnersPerAgency: 3 });
  const betsFile = path.join(dir, 'bets.csv');
  const { child: server, port } = await startServerProcess({ dir, agencies: 3, betsFile, logLevel: 'DEBUG' });
  t.teardown(() => server.kill('SIGKILL'));
  const through = await proxy(port);
  t.teardown(() => through.close());

  const clients: Child[] = [];
  t.teardown(() => clients.forEach((c) => c.kill('SIGKILL')));
  clients.push(startClientProcess({ id: 1, port: through.port, dataFile: files[0]!, dir, batch: 50, env: { CLI_SERVER_CONNECTRETRY: '30s' } }));
  await server.waitForLine(() => waitingFor1(server) === 1, 30_000);

  // Agency 1 is waiting for the draw: its side of the connection is reset, the server's side stays open.
  const first = through.pairs[0]!;
  first.server.unpipe(first.agency);
  first.agency.unpipe(first.server);
  first.agency.resetAndDestroy();
  await server.waitForLine((line) => line.includes('action: tomar_agencia | result: success'), 30_000);
  await server.waitForLine(() => waitingFor1(server) === 2, 30_000);
  t.false(first.server.destroyed, 'the dead connection was still open on the server when the agency came back');

  // Only now the other agencies run: the draw happens while agency 1 waits on its new connection.
  clients.push(...[2, 3].map((id) => startClientProcess({ id, port, dataFile: files[id - 1]!, dir, batch: 50 })));
  const exits = await Promise.all(clients.map((c) => c.exited));
  server.kill('SIGTERM');
  const serverExit = await server.exited;
  const summary = await summarize({
    inputFiles: files,
    betsFile,
    clients: clients.map((c, i) => ({ lines: c.lines.map((l) => l.text), exitCode: exits[i]!.code })),
    serverLines: server.lines.map((l) => l.text),
    serverExitCode: serverExit.code,
    elapsedMs: 0,
  });
  t.deepEqual(summary.problems, [], clients.map((c) => c.lines.slice(-3).map((l) => l.text).join('\n')).join('\n'));
  t.deepEqual(summary.rows.map((row) => row.reportedWinners), [3, 3, 3]);
  t.is(through.pairs.length, 2, 'agency 1 connected twice');
  t.true(clients[0]!.lines.some((l) => l.text.includes('action: reconectar | result: in_progress')));
});
