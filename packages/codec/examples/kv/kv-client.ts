import { RequestClient } from '@tp0/codec';
import { kv, type KvRequest, type KvResponse } from './kv-protocol.js';

/** Sends every request at once, pipelined on one connection, and returns the replies in the same order. */
export async function pipeline(port: number, requests: readonly KvRequest[]): Promise<KvResponse[]> {
  const client = await RequestClient.connect(kv.client, { port, timeout: 5000 });
  try {
    return await Promise.all(requests.map(request => client.request(request)));
  } finally {
    await client.close();
  }
}
