import { parseLogLine } from '@tp0/common';
import { csvRows } from './csv.js';

export const WINNING_NUMBER = 7574;

/** Per agency, what the run should have done and what it did. */
export interface AgencyRow {
  readonly agency: number;
  /** Rows of the agency's input file. */
  readonly fileBets: number;
  /** Rows of bets.csv whose agency column is this agency. */
  readonly storedBets: number;
  /** `cant_ganadores` of the client's `consulta_ganadores | result: success` line; null when absent. */
  readonly reportedWinners: number | null;
  /** Rows of bets.csv of this agency that bet on 7574. */
  readonly expectedWinners: number;
  readonly exitCode: number | null;
}

export interface Summary {
  readonly rows: readonly AgencyRow[];
  /** Rows of bets.csv whose agency is not 1..N. */
  readonly strayRows: number;
  readonly serverExitCode: number | null;
  /** `sorteo | result: success` lines of the server; exactly one is right. */
  readonly draws: number;
  readonly elapsedMs: number;
  readonly problems: readonly string[];
}

export interface StoredCounts {
  readonly bets: Map<number, number>;
  readonly winners: Map<number, number>;
  readonly total: number;
}

/** Counts bets.csv rows and winning rows per agency (column 0 agency, column 5 number). A missing file holds none. */
export async function countStored(betsFile: string): Promise<StoredCounts> {
  const bets = new Map<number, number>();
  const winners = new Map<number, number>();
  let total = 0;
  try {
    for await (const row of csvRows(betsFile)) {
      const agency = Number(row[0]);
      total++;
      bets.set(agency, (bets.get(agency) ?? 0) + 1);
      if (Number(row[5]) === WINNING_NUMBER) winners.set(agency, (winners.get(agency) ?? 0) + 1);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { bets, winners, total };
}

/** Rows of an agency input file. */
export async function countRows(file: string): Promise<number> {
  let n = 0;
  for await (const _ of csvRows(file)) n++;
  return n;
}

/** `cant_ganadores` of the last successful `consulta_ganadores` line, or null. */
export function reportedWinners(lines: readonly string[]): number | null {
  let found: number | null = null;
  for (const line of lines) {
    const parsed = parseLogLine(line);
    if (parsed?.action !== 'consulta_ganadores' || parsed.result !== 'success') continue;
    const n = Number(parsed.fields['cant_ganadores']);
    if (Number.isInteger(n)) found = n;
  }
  return found;
}

/** Lines with the given action and result. */
export function countActions(lines: readonly string[], action: string, result = 'success'): number {
  let n = 0;
  for (const line of lines) {
    const parsed = parseLogLine(line);
    if (parsed?.action === action && parsed.result === result) n++;
  }
  return n;
}

export interface SummaryInput {
  readonly inputFiles: readonly string[];
  readonly betsFile: string;
  readonly clients: readonly { readonly lines: readonly string[]; readonly exitCode: number | null }[];
  readonly serverLines: readonly string[];
  readonly serverExitCode: number | null;
  readonly elapsedMs: number;
}

export async function summarize(input: SummaryInput): Promise<Summary> {
  const stored = await countStored(input.betsFile);
  const rows: AgencyRow[] = [];
  const problems: string[] = [];
  for (const [index, file] of input.inputFiles.entries()) {
    const agency = index + 1;
    const client = input.clients[index];
    const row: AgencyRow = {
      agency,
      fileBets: await countRows(file),
      storedBets: stored.bets.get(agency) ?? 0,
      reportedWinners: client === undefined ? null : reportedWinners(client.lines),
      expectedWinners: stored.winners.get(agency) ?? 0,
      exitCode: client?.exitCode ?? null,
    };
    rows.push(row);
    if (row.exitCode !== 0) problems.push(`client${agency} exited with ${row.exitCode ?? 'a signal'}`);
    if (row.storedBets !== row.fileBets) problems.push(`agency ${agency}: ${row.fileBets} bets in its file, ${row.storedBets} stored`);
    if (row.reportedWinners !== row.expectedWinners) {
      problems.push(`agency ${agency}: client reported ${row.reportedWinners ?? 'no'} winners, bets.csv holds ${row.expectedWinners}`);
    }
  }
  let strayRows = stored.total;
  for (const row of rows) strayRows -= row.storedBets;
  if (strayRows !== 0) problems.push(`${strayRows} rows of bets.csv belong to no agency of this run`);
  const draws = countActions(input.serverLines, 'sorteo');
  if (draws !== 1) problems.push(`the server logged ${draws} draws (sorteo), expected 1`);
  if (input.serverExitCode !== 0) problems.push(`server exited with ${input.serverExitCode ?? 'a signal'}`);
  return { rows, strayRows, serverExitCode: input.serverExitCode, draws, elapsedMs: input.elapsedMs, problems };
}

/** The summary as a fixed-width table, then the problems (if any). */
export function formatSummary(summary: Summary): string {
  const header = ['agency', 'file bets', 'stored', 'winners (client)', 'winners (bets.csv)', 'exit', 'ok'];
  const body = summary.rows.map((r) => {
    const ok = r.exitCode === 0 && r.storedBets === r.fileBets && r.reportedWinners === r.expectedWinners;
    return [String(r.agency), String(r.fileBets), String(r.storedBets), String(r.reportedWinners ?? '-'), String(r.expectedWinners), String(r.exitCode ?? '-'), ok ? 'yes' : 'NO'];
  });
  const sum = (pick: (r: AgencyRow) => number | null) => String(summary.rows.reduce((acc, r) => acc + (pick(r) ?? 0), 0));
  body.push(['total', sum((r) => r.fileBets), sum((r) => r.storedBets), sum((r) => r.reportedWinners), sum((r) => r.expectedWinners), '', summary.problems.length === 0 ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  out.push('', `server exit ${summary.serverExitCode ?? '-'}, draws ${summary.draws}, elapsed ${(summary.elapsedMs / 1000).toFixed(3)} s`);
  for (const problem of summary.problems) out.push(`PROBLEM: ${problem}`);
  return out.join('\n');
}
