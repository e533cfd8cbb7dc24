import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['api/test/**/*.test.ts', 'sdk-gen/test/**/*.test.ts', 'dashboard/test/**/*.test.ts'],
    globalSetup: ['api/test/global-setup.ts', 'dashboard/test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: a few files at a time, each with its own database on the shared embedded server.
    maxWorkers: 3,
    pool: 'forks',
  },
});
