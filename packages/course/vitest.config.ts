import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'course',
    include: ['test/**/*.test.ts'],
    // The fixture lessons' tests run only when the grader's own tests grade them.
    exclude: ['test/fixtures/**', '**/node_modules/**'],
    testTimeout: 10_000,
  },
});
