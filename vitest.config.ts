import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // A safety net, not the test's judgement: waits inside tests end on progress (runUntilIdle
    // gives up after 30 s without a row finished), so a machine loaded by other work only makes
    // a test slower. A hung test still fails, after two minutes.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // expect.poll waits for progress, not for a wall-clock guess: on a busy machine a tick can
    // take seconds, and a poll that holds returns at once anyway.
    expect: { poll: { timeout: 15_000 } },
  },
})
