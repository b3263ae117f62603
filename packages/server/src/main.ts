/**
 * Entry point: `node dist/main.js` (config from ./config.ini or CONFIG_FILE, env overrides). SIGTERM and SIGINT are
 * caught before anything else loads, so a signal at any moment of start-up ends in the normal shutdown, exit 0.
 */
import { EarlySignals } from '@tp0/common/early-signals';

const signals = new EarlySignals();
// A dynamic import, not a top-level await: the image's bundle is a CommonJS script.
void import('./start.js').then(app => app.start(signals));
