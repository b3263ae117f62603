/**
 * Worker thread entry: reads every stored bet and keeps the winners' documents per agency.
 * Runs off the main thread because loading millions of rows would stall the event loop for seconds.
 * Keep its imports plain: the Docker bundler bundles every `dist/*-worker.js` on its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { computeWinners } from './winners.js';

const { path } = workerData as { path: string };
const { winners, rows } = await computeWinners(path);
parentPort?.postMessage({ winners: [...winners], rows });
