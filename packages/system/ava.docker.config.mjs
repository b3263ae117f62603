// The Docker end-to-end tests: real images, real compose projects. Run one file at a time (one compose project
// named tp0 at a time), serially.
export default {
  files: ['src/docker/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  concurrency: 1,
  serial: true,
  timeout: '5m',
};
