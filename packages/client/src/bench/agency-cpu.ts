/**
 * CPU of one agency process over a file, against a minimal in-process server that acks every batch at once:
 *
 *   node dist/bench/agency-cpu.js <agency.csv> <runs> <main.js> [<other main.js> ...]
 *
 * A main may carry env settings for its runs: `dist/main.js?CLI_BATCH_INFLIGHT=1&CLI_BATCH_MAXAMOUNT=50`.
 * Each main is a built client (this tree's dist/main.js or docker/dist/client.cjs, or an older build to compare
 * with), started as `node <main>`. The runs are interleaved (A B A B ...) so that a noisy machine hurts every build
 * alike. The child reports its own process.cpuUsage() at exit (a --require hook), so the figure is the agency's
 * CPU, not the server's or wall time.
 * The server is version-agnostic (protocol v1 or v2, from the client's header) and does no work per bet.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const [file, runsText, ...mains] = process.argv.slice(2);
if (file === undefined || runsText === undefined || mains.length === 0) {
  console.error('usage: agency-cpu <agency.csv> <runs> <main.js> [<main.js> ...]');
  process.exit(2);
}

/** Extra node flags for the agency, e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
const NODE_ARGS = (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
const REPORT_CPU = path.join(mkdtempSync(path.join(os.tmpdir(), 'agency-cpu-')), 'report-cpu.cjs');
writeFileSync(REPORT_CPU, "process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('CPU '+((u.user+u.system)/1000).toFixed(1)+'\\n')});\n");

function frame(type: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + 1, 0);
  head[4] = type;
  return Buffer.concat([head, payload]);
}
const u32 = (n: number) => (b => (b.writeUInt32BE(n), b))(Buffer.alloc(4));

/** Acks each bet_batch with its count; hello → resume 0; finished → ack 0; winners_query → no winners. */
function session(socket: net.Socket): void {
  let buffered = Buffer.alloc(0);
  let version = 0;
  socket.on('error', () => undefined);
  socket.on('data', chunk => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    if (version === 0) {
      if (buffered.length < 5) return;
      version = buffered[4]!;
      buffered = buffered.subarray(5);
    }
    const replies: Buffer[] = [];
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
      const length = buffered.readUInt32BE(0);
      const type = buffered[4]!;
      if (type === 0x02) replies.push(frame(0x03, u32(buffered.readUInt16BE(version === 1 ? 7 : 11))));
      else if (type === 0x05) replies.push(frame(0x03, u32(0)));
      else if (type === 0x06) replies.push(frame(0x07, Buffer.concat([buffered.subarray(5, 7), u32(0)])));
      else if (type === 0x08) replies.push(frame(0x09, Buffer.concat([buffered.subarray(5, 7), u32(0), Buffer.of(0)])));
      buffered = buffered.subarray(4 + length);
    }
    if (replies.length > 0) socket.write(Buffer.concat(replies));
  });
}

const server = net.createServer(session);
await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as net.AddressInfo).port;
const env: NodeJS.ProcessEnv = { ...process.env, CLI_ID: '1', CLI_SERVER_ADDRESS: `127.0.0.1:${port}`, CLI_DATA_FILE: path.resolve(file), CLI_LOG_LEVEL: 'INFO' };
delete env['NODE_EXTRA_CA_CERTS'];
delete env['CLI_CONFIG_FILE'];

function run(spec: string): Promise<{ cpuMs: number; wallMs: number }> {
  const [main, settings] = spec.split('?') as [string, string | undefined];
  const started = performance.now();
  const childEnv = { ...env, ...Object.fromEntries(new URLSearchParams(settings ?? '')) };
  const child = spawn(process.execPath, [...NODE_ARGS, '--require', REPORT_CPU, path.resolve(main)], { cwd: os.tmpdir(), env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', code => {
      const cpu = /CPU ([\d.]+)/.exec(stderr);
      if (code !== 0 || cpu === null) reject(new Error(`${main} exited ${code}:\n${stdout}${stderr}`));
      else resolve({ cpuMs: Number(cpu[1]), wallMs: performance.now() - started });
    }),
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = mains.map(() => ({ cpu: [] as number[], wall: [] as number[] }));
console.log(`load average at start: ${os.loadavg().map(l => l.toFixed(2)).join(' ')}`);
await run(mains[0]!); // warm-up: the file in the page cache
for (let i = 0; i < Number(runsText); i++) {
  for (const [m, main] of mains.entries()) {
    const { cpuMs, wallMs } = await run(main);
    results[m]!.cpu.push(cpuMs);
    results[m]!.wall.push(wallMs);
  }
}
for (const [m, main] of mains.entries()) {
  const { cpu, wall } = results[m]!;
  console.log(`${main}: CPU median ${median(cpu).toFixed(0)} ms (min ${Math.min(...cpu).toFixed(0)}, max ${Math.max(...cpu).toFixed(0)}); wall median ${median(wall).toFixed(0)} ms`);
}
console.log(`load average at end: ${os.loadavg().map(l => l.toFixed(2)).join(' ')}`);
server.close();
rmSync(path.dirname(REPORT_CPU), { recursive: true, force: true });
