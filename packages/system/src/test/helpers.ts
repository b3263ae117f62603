import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { Connection } from '@tp0/codec';
import { connectLocal } from '@tp0/codec/testing';
import { parseLogLine } from '@tp0/common';
import { lottery, LOTTERY_HEADER, type Bet, type LotteryRequest, type LotteryResponse } from '@tp0/protocol';
import { csvRows } from '../run/csv.js';

/** A fresh directory removed after the test (kept when it failed, for a look). */
export async function tempDir(t: ExecutionContext, prefix = 'tp0-system-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  t.teardown(async () => {
    if (t.passed) await rm(dir, { recursive: true, force: true });
    else t.log(`kept ${dir}`);
  });
  return dir;
}

/** Writes an agency CSV the way the course's files are: no header, CRLF, fields joined by commas (no quoting needed). */
export async function writeAgencyCsv(file: string, bets: readonly Bet[]): Promise<string> {
  await writeFile(file, bets.map((b) => `${b.firstName},${b.lastName},${b.document},${b.birthdate},${b.number}\r\n`).join(''));
  return file;
}

export function bet(document: string, number: number, patch: Partial<Bet> = {}): Bet {
  return { firstName: 'Belén', lastName: 'Sánchez', document, birthdate: '1999-03-17', number, ...patch };
}

export type LotteryConnection = Connection<LotteryResponse, LotteryRequest>;

/** A lottery client built only from @tp0/codec and @tp0/protocol: the header, then frames. */
export async function rawLottery(port: number): Promise<{ socket: net.Socket; conn: LotteryConnection }> {
  const socket = await connectLocal(port);
  const conn = new Connection(socket, lottery.client);
  await conn.sendBytes(LOTTERY_HEADER);
  return { socket, conn };
}

export async function request(conn: LotteryConnection, message: LotteryRequest): Promise<LotteryResponse> {
  await conn.send(message);
  return conn.receive();
}

/** (first, last, document, birthdate, number) of every row, as a sorted list of keys: a multiset to compare. */
export async function betKeys(file: string, columns: 'input' | 'stored'): Promise<string[]> {
  const keys: string[] = [];
  for await (const row of csvRows(file)) keys.push(JSON.stringify(columns === 'stored' ? row.slice(1, 6) : row.slice(0, 5)));
  return keys.sort();
}

/** Rows of bets.csv per agency. */
export async function storedByAgency(file: string): Promise<Map<number, string[][]>> {
  const byAgency = new Map<number, string[][]>();
  try {
    for await (const row of csvRows(file)) {
      const agency = Number(row[0]);
      byAgency.set(agency, [...(byAgency.get(agency) ?? []), row]);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return byAgency;
}

/** Values of `field` in the lines with `action` and result success. */
export function fieldValues(lines: readonly { text: string }[], action: string, field: string): string[] {
  const out: string[] = [];
  for (const { text } of lines) {
    const parsed = parseLogLine(text);
    if (parsed?.action === action && parsed.result === 'success' && parsed.fields[field] !== undefined) out.push(parsed.fields[field]);
  }
  return out;
}
