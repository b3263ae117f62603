import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DrawResult } from './winners.js';

export type { DrawResult } from './winners.js';

/** A draw running in a worker thread. */
export interface DrawRun {
  readonly result: Promise<DrawResult>;
  /** Stops the worker; `result` then rejects with DrawCancelledError. */
  cancel(): Promise<void>;
}

export class DrawCancelledError extends Error {
  override readonly name = 'DrawCancelledError';
  constructor() {
    super('draw cancelled');
  }
}

/**
 * The worker sits next to this module with this module's extension: dist/draw-worker.js after tsc,
 * draw-worker.mjs beside the Docker bundle, draw-worker.ts under tsx.
 */
const WORKER_URL = new URL(`./draw-worker${extname(new URL(import.meta.url).pathname)}`, import.meta.url);

/** Node 20 does not apply tsx's `--import` hooks to a worker's entry, so under tsx the worker registers them itself. */
function createWorker(workerData: unknown): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData });
  // Resolved here: an eval'd worker resolves bare specifiers from the cwd, which may be outside the repo.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

export function startDraw(path: string): DrawRun {
  const worker = createWorker({ path });
  let cancelled = false;
  const result = new Promise<DrawResult>((resolve, reject) => {
    let settled = false;
    worker.once('message', (msg: { winners: Array<[number, string[]]>; rows: number }) => {
      settled = true;
      resolve({ winners: new Map(msg.winners), rows: msg.rows });
    });
    worker.once('error', (err: unknown) => {
      settled = true;
      // An error thrown in the worker arrives as a structured clone, not always an Error of this realm.
      reject(new Error(`draw worker failed: ${(err as { message?: string } | null)?.message ?? String(err)}`));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      reject(cancelled ? new DrawCancelledError() : new Error(`draw worker exited with code ${code} before replying`));
    });
  });
  return {
    result,
    cancel: async () => {
      cancelled = true;
      await worker.terminate();
    },
  };
}
