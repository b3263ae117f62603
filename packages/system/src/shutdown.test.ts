/** SIGTERM to the built server in the middle of ingest: it exits 0 and no acknowledged bet is lost. */
import path from 'node:path';
import test from 'ava';
import { isCodecError } from '@tp0/codec';
import type { Bet } from '@tp0/protocol';
import { generateAgencyFiles } from './gen-data.js';
import { csvRows } from './run/csv.js';
import { startClientProcess, startServerProcess } from './run/processes.js';
import { bet, fieldValues, rawLottery, request, storedByAgency, tempDir } from './test/helpers.js';

test('SIGTERM during ingest: exit 0, every acknowledged bet is in bets.csv, nothing unsent is', async (t) => {
  const dir = await tempDir(t);
  const betsFile = path.join(dir, 'bets.csv');
  const [bigFile] = generateAgencyFiles({ out: path.join(dir, 'data'), agencies: 1, bets: 60_000, seed: 9 });
  const { child: server, port } = await startServerProcess({ dir, agencies: 2, betsFile });
  t.teardown(() => server.kill('SIGKILL'));

  // Agency 1: the real client, small batches, DEBUG so it logs each acknowledged batch.
  const client = startClientProcess({ id: 1, port, dataFile: bigFile!, dir, batch: 10, logLevel: 'DEBUG' });
  t.teardown(() => client.kill('SIGKILL'));

  // Agency 2: a raw client that knows exactly which batches were acknowledged.
  const raw = await rawLottery(port);
  const sent: Bet[] = [];
  const acked: Bet[] = [];
  const rawDone = (async () => {
    for (let i = 0; ; i++) {
      const bets = Array.from({ length: 5 }, (_, j) => bet(String(30_000_000 + i * 5 + j), (i * 5 + j) % 10_000));
      sent.push(...bets);
      try {
        const reply = await request(raw.conn, { type: 'bet_batch', agency: 2, first: i * 5, bets });
        if (reply.type !== 'ack') return reply;
        acked.push(...bets);
      } catch (err) {
        if (isCodecError(err)) return err.code;
        throw err;
      }
    }
  })();

  // Mid-ingest: the real client has had 50 batches acknowledged (it has thousands more to send).
  await client.waitForLine(() => fieldValues(client.lines, 'apuesta_enviada', 'cantidad').length >= 50, 15_000);
  server.kill('SIGTERM');
  const serverExit = await server.exited;
  t.is(serverExit.code, 0);
  t.log('raw client stopped on', await rawDone);
  const clientExit = await client.exited;
  t.log('client exit', clientExit.code);

  const stored = await storedByAgency(betsFile);
  // Raw agency: acked ⊆ stored ⊆ sent, and stored holds at most the one batch in flight beyond the acks.
  const storedDocs2 = new Set((stored.get(2) ?? []).map((row) => row[3] ?? ''));
  t.true(acked.length > 0);
  t.true(acked.every((b) => storedDocs2.has(b.document)), 'every acked bet of the raw agency is stored');
  const sentDocs = new Set(sent.map((b) => b.document));
  t.true([...storedDocs2].every((d) => sentDocs.has(d)));
  t.true(storedDocs2.size - acked.length <= 5);

  // Real agency: its acked batches are the first `ackedRows` rows of its file, in order.
  const ackedRows = fieldValues(client.lines, 'apuesta_enviada', 'cantidad')
    .map(Number)
    .filter((n) => n <= 10) // the per-batch DEBUG lines, not a final total
    .reduce((a, b) => a + b, 0);
  const fileRows: string[] = [];
  for await (const row of csvRows(bigFile!)) fileRows.push(JSON.stringify(row.slice(0, 5)));
  const storedRows1 = (stored.get(1) ?? []).map((row) => JSON.stringify(row.slice(1, 6)));
  t.true(ackedRows > 0);
  t.true(ackedRows < fileRows.length, 'the SIGTERM came during ingest');
  t.deepEqual(storedRows1.slice(0, ackedRows), fileRows.slice(0, ackedRows), 'every acked bet of the real agency is stored, in order');
  t.true(storedRows1.length - ackedRows <= 10);
  t.deepEqual(storedRows1, fileRows.slice(0, storedRows1.length), 'nothing stored that was not sent');
  t.true(server.lines.some((l) => l.text.includes('action: shutdown | result: success')));
});
