import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // expect.poll waits for progress, not for a wall-clock guess: on a busy machine a tick can
    // take seconds, and a poll that holds returns at once anyway.
    expect: { poll: { timeout: 15_000 } },
  },
})
