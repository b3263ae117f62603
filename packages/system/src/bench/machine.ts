import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';

/** One line naming the machine: node version, CPU model × cores, memory. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const gib = (os.totalmem() / 2 ** 30).toFixed(1);
  return `node ${process.version}, ${model} × ${cpus.length}, ${gib} GiB RAM, ${os.type()} ${os.release()}`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Fixed-width table: first column left-aligned, the rest right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The 1-, 5- and 15-minute load averages. */
export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return [one, five, fifteen];
}

/** Load is high when the 1-minute average exceeds half the cores: other work then skews every figure. */
export function loadIsHigh(oneMinute: number, cores = os.cpus().length): boolean {
  return oneMinute > cores * 0.5;
}

/**
 * Wall time of each of `spawns` runs of `node -e ''`, ms: the floor under any process the benchmarks start. By
 * default with the environment the local runner gives its children (no NODE_EXTRA_CA_CERTS, see run/processes.ts).
 */
export async function nodeStartupMs(spawns = 5, env: NodeJS.ProcessEnv = withoutExtraCaCerts()): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < spawns; i++) {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore', env });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`node -e '' exited with ${code}`);
    times.push(performance.now() - started);
  }
  return times;
}

export function withoutExtraCaCerts(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _dropped, ...rest } = env;
  return rest;
}
