import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two groups, one after the other. The browser tests wait on what a page shows, with timeouts
 * made for a machine that is not also running the chaos loop and a dozen child processes: on a
 * shared 2-core machine they start once the rest has finished, two files at a time.
 */
export default defineConfig({
  test: {
    // Many tests start processes (a built baton, Chromium); on a busy 2-core machine that alone
    // can take seconds. A test that claims a speed measures it itself.
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'server', exclude: [...configDefaults.exclude, 'test/e2e/**'], sequence: { groupOrder: 0 } } },
      // A browser test that fails is run once more: some waits still race the page (the closing
      // note lists them); a real failure fails twice.
      { extends: true, test: { name: 'browser', include: ['test/e2e/**/*.test.ts'], maxWorkers: 2, retry: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
