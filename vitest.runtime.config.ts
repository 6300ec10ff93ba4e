import { defineConfig } from 'vitest/config';

/**
 * `npm run test:runtime`: tests of the process tuning that read V8 traces and count /proc
 * threads. They depend on the Node and V8 versions and on the machine, so they run apart from
 * `npm test` (and after it in .ci/run). They start the bin, which runs dist/: the script builds first.
 */
export default defineConfig({
  test: {
    include: ['test/runtime/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
