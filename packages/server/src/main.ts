/**
 * Entry point: `node dist/main.js` (config from ./config.ini or CONFIG_FILE, env overrides). SIGTERM and SIGINT are
 * caught before anything else loads, so a signal at any moment of start-up ends in the normal shutdown, exit 0.
 */
import { EarlySignals } from '@tp0/common/early-signals';

const signals = new EarlySignals();
// No top-level await: the bundle is a CommonJS script (for V8's code cache, see docker/bundle.mjs).
import('./start.js').then(({ start }) => start(signals));
