// The vitest config of every run against a learner's or a student's code: the
// lesson's own config (lessons/NN-slug/vitest.config.ts, which is always
// `lessonConfig(import.meta.url)`), plus the guard. COURSE_LESSON_DIR names the
// lesson folder and LESSON_TARGET the code under test.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mergeConfig } from 'vitest/config';
import { lessonConfig } from '../../test-kit/vitest.ts';

const lessonDir = process.env.COURSE_LESSON_DIR;
if (!lessonDir) throw new Error('Set COURSE_LESSON_DIR to the lesson folder.');

export default mergeConfig(lessonConfig(pathToFileURL(join(lessonDir, 'vitest.config.ts')).href), {
  root: lessonDir,
  test: {
    setupFiles: [fileURLToPath(new URL('./guard.ts', import.meta.url))],
    // Several runs of one lesson share its folder: keep them from sharing a results cache.
    cache: false,
    // One process per run: the test files share a worker thread and its module cache, which
    // halves what a run costs. Each test still builds its own app with createApp().
    pool: 'threads',
    isolate: false,
    ...(process.env.COURSE_MAX_WORKERS
      ? { maxWorkers: Number(process.env.COURSE_MAX_WORKERS) }
      : {}),
    // When grading, a failed test runs once more before it counts: on a machine busy grading
    // a class, a slow answer is not a wrong one. (A RegExp condition, to retry timeouts only,
    // does not survive the trip to the worker thread.)
    ...(process.env.COURSE_RETRY ? { retry: 1 } : {}),
  },
});
