import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globals: false,
    // end-to-end files start real sshd fleets; give them room, and keep the suite's output readable
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // the JSON file gives .ci/run its closing 'N passed, N failed' line
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
