import { listLessons } from '../../../packages/course/src/lessons.ts';
import { lessonTests, type TestFile } from '../test-names.ts';

export type LessonTests = Record<string, TestFile[]>;

declare const data: LessonTests;

export { data };

// Read at build time (and again in `docs:dev` when a test file changes), so
// the names on a lesson page are always the names of the tests that run.
export default {
  watch: ['../../../lessons/*/test/*.test.ts'],
  load(): LessonTests {
    return Object.fromEntries(listLessons().map((lesson) => [lesson.id, lessonTests(lesson.dir)]));
  },
};
