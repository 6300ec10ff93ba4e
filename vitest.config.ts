import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Runtime internals (V8 traces, thread counts): `npm run test:runtime`, see vitest.runtime.config.ts.
    exclude: [...configDefaults.exclude, 'test/runtime/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/setup/services-notice.ts'],
    // Printed in CI (`npm test -- --coverage`); no threshold yet.
    coverage: { provider: 'v8', include: ['src/**'], reporter: ['text-summary', 'text'] },
  },
});
