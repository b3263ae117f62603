/**
 * The betting agency client: echo (exercises 1-4), single bet (5) and agency batches + winners (6-8).
 * `node dist/main.js` with config.yaml in the working directory; `runClient` for tests.
 */
export { runClient } from './client.js';
export { loadConfig, configFields, DEFAULT_BATCH_MAX_AMOUNT, type ClientConfig, type LoadOptions } from './config.js';
