import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'course', include: ['test/**/*.test.ts'], testTimeout: 10_000 },
});
