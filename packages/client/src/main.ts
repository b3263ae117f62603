/**
 * Entry point: `node dist/main.js` (config from ./config.yaml or CLI_CONFIG_FILE, CLI_* env overrides). SIGTERM and
 * SIGINT are caught before anything else loads, so a signal at any moment of start-up ends the agency cleanly, exit 0.
 */
import { launch } from '@tp0/common/early-signals';

// No top-level await: the bundle is a CommonJS script, run from a V8 startup snapshot (see docker/bundle.mjs). The
// agency mode, which a run loads once it knows its mode, is in the snapshot too.
launch(() => import('./start.js'), () => import('./agency.js'));
