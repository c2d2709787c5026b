import { join } from 'node:path';
import { listLessons, ROOT } from '../../../packages/course/src/lessons.ts';
import { lessonTests, type TestFile } from '../test-names.ts';

export type LessonTests = Record<string, TestFile[]>;

declare const data: LessonTests;

export { data };

// Read at build time (and again in `docs:dev` when a test file changes), so
// the names on a lesson page are always the names of the tests that run.
export default {
  watch: ['../../../lessons/*/test/*.test.ts', '../../test/*.test.ts'],
  load(): LessonTests {
    const lessons = listLessons().map((lesson) => [lesson.id, lessonTests(lesson.dir)]);
    // lesson="docs": the site's own tests, which prove what the guide pages say.
    return Object.fromEntries([...lessons, ['docs', lessonTests(join(ROOT, 'docs'))]]);
  },
};
