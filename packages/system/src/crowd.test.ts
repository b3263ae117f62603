/**
 * 200 agencies connecting at once to a server with the course's listen backlog of 5. The accept queue overflows:
 * connects wait for the kernel's SYN retransmits, and a connection can be reset before the server ever reads it.
 * Every agency must still store its bets exactly once and be told its own winners.
 *
 * The agencies run in this process (runClient, 200 sockets) rather than as 200 node processes, which would take
 * ~10 GB and a minute of CPU on a 2-core machine; the server is the real built process.
 */
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { loadConfig, runClient } from '@tp0/client';
import { createLogger, parseLogLine } from '@tp0/common';
import { startServerProcess } from './run/processes.js';
import { bet, storedByAgency, tempDir, writeAgencyCsv } from './test/helpers.js';

const AGENCIES = 200;
const BETS_PER_AGENCY = 20;

/** Agency k's bets: `k % 4` of them on the winning number. */
const winnersOf = (agency: number) => agency % 4;

test(`${AGENCIES} agencies at once against a listen backlog of 5: every bet stored once, every agency told its own winners`, async (t) => {
  const dir = await tempDir(t);
  const betsFile = path.join(dir, 'bets.csv');
  const { child: server, port } = await startServerProcess({
    dir,
    agencies: AGENCIES,
    betsFile,
    env: { SERVER_LISTEN_BACKLOG: '5' },
  });
  t.teardown(() => server.kill('SIGKILL'));

  const runs = Array.from({ length: AGENCIES }, async (_, index) => {
    const agency = index + 1;
    const bets = Array.from({ length: BETS_PER_AGENCY }, (_, i) => bet(String(agency * 1000 + i), i < winnersOf(agency) ? 7574 : i + 1));
    const dataFile = await writeAgencyCsv(path.join(dir, `agency-${agency}.csv`), bets);
    const config = loadConfig({
      cwd: dir,
      env: {
        CLI_ID: String(agency),
        CLI_MODE: 'agency',
        CLI_SERVER_ADDRESS: `127.0.0.1:${port}`,
        CLI_DATA_FILE: dataFile,
        CLI_BATCH_MAXAMOUNT: '5',
        CLI_LOG_LEVEL: 'INFO',
        CLI_SERVER_CONNECTRETRY: '60s',
      },
    });
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const code = await runClient(config, createLogger({ name: `client${agency}`, level: 'INFO', out }));
    return { agency, code, lines };
  });
  const results = await Promise.all(runs);

  const failed = results.filter((r) => r.code !== 0);
  t.deepEqual(
    failed.map((r) => r.agency),
    [],
    failed.slice(0, 3).map((r) => r.lines.slice(-3).join('\n')).join('\n'),
  );
  for (const { agency, lines } of results) {
    const told = lines.map(parseLogLine).find((l) => l?.action === 'consulta_ganadores' && l.result === 'success');
    t.is(told?.fields['cant_ganadores'], String(winnersOf(agency)), `agency ${agency}`);
  }
  const stored = await storedByAgency(betsFile);
  t.is(stored.size, AGENCIES);
  for (let agency = 1; agency <= AGENCIES; agency++) {
    const documents = (stored.get(agency) ?? []).map((row) => row[3]);
    t.deepEqual(documents, Array.from({ length: BETS_PER_AGENCY }, (_, i) => String(agency * 1000 + i)), `agency ${agency}: each bet once, in order`);
  }
  const retried = results.filter((r) => r.lines.some((l) => l.includes('action: reconectar'))).length;
  t.log(`${retried} of ${AGENCIES} agencies reconnected at least once`);
});
