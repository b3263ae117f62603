// Echo mode (exercises 1-4): every client sends loop.amount lines, logs each echo and `loop_finished`; the server
// logs every line it received.
import test from 'ava';
import { checkPrerequisites, clientNames, removeLeftovers, withProject } from './harness.js';

test.before(checkPrerequisites);
test.after.always(removeLeftovers);

const AMOUNT = 3;
const message = (client: number, n: number) => `[CLIENT ${client}] Message N°${n}`;

for (const clients of [1, 5]) {
  test(`echo mode, ${clients} client(s): every message comes back`, async (t) => {
    await withProject(
      { name: `echo-${clients}`, clients, mode: 'echo', client: { 'loop.amount': AMOUNT, 'loop.period': '200ms' } },
      async (p) => {
        const codes = await p.waitAllExited(clientNames(clients), 60_000);
        const expected: string[] = [];
        for (let i = 1; i <= clients; i++) {
          const client = `client${i}`;
          t.is(codes.get(client), 0, `${client} exit code`);
          const mine = Array.from({ length: AMOUNT }, (_, n) => message(i, n + 1));
          expected.push(...mine);
          t.deepEqual(
            p.lines(client, 'receive_message', 'success').map((e) => e.fields['msg']),
            mine,
            `${client} got each of its messages back, in order`,
          );
          t.deepEqual(p.lines(client, 'receive_message', 'fail'), [], `${client} has no failed receive`);
          t.is(p.lines(client, 'loop_finished', 'success').length, 1, `${client} loop_finished`);
          const last = p.lines(client).at(-1);
          t.is(last?.action, 'loop_finished', `${client}: loop_finished is its last line`);
        }
        const got = (await p.waitLines('server', 'receive_message', { result: 'success', count: expected.length, timeoutMs: 5_000 }))
          .map((e) => e.fields['msg'] ?? '');
        t.deepEqual([...got].sort(), [...expected].sort(), 'the server logged every message once');
      },
    );
  });
}
