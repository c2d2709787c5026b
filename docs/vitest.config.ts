import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'docs',
    include: ['test/**/*.test.ts'],
    // The site test opens pages concurrently; more than three only fight for the CPU.
    maxConcurrency: 3,
  },
});
