import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // `pnpm test:slow` (COURSE_SLOW=1) runs only the lessons' slow suites, in test/slow/.
    projects: process.env.COURSE_SLOW === '1' ? ['lessons/*'] : ['lessons/*', 'packages/*', 'docs'],
    // Lesson tests wait on sockets and Chromium as much as on the CPU: use every
    // core (vitest leaves one free by default, which is half of a 2-core machine).
    maxWorkers: availableParallelism(),
    // A test skipped for a missing program (Chromium, redis-server) is named with the reason.
    reporters: ['default', './packages/test-kit/skip-reporter.ts'],
  },
});
