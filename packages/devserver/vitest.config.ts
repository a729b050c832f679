import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The viewer tests start Chromium and drive it: seconds when idle, far more on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll gives up after 1 s by default: too short for Chromium polling the viewer on a loaded machine.
    expect: { poll: { timeout: 15_000 } },
  },
});
