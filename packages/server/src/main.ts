/**
 * Entry point: `node dist/main.js` (config from ./config.ini or CONFIG_FILE, env overrides). SIGTERM and SIGINT are
 * caught before anything else loads, so a signal at any moment of start-up ends in the normal shutdown, exit 0.
 */
import { launch } from '@tp0/common/early-signals';

// No top-level await: the bundle is a CommonJS script, run from a V8 startup snapshot (see docker/bundle.mjs).
launch(() => import('./start.js'));
