import { resolve } from 'node:path';

/**
 * The folder a lesson's tests run against: the one `LESSON_TARGET` names (a
 * starter, a student's submission), or else the lesson's `src/`. Tests import
 * it as `#target/…`; a test that starts the lesson's `server.ts` as a process
 * needs the folder itself.
 *
 * @example
 * const server = join(lessonTarget(lessonDir), 'server.ts');
 */
export function lessonTarget(lessonDir: string): string {
  return process.env.LESSON_TARGET
    ? resolve(process.cwd(), process.env.LESSON_TARGET)
    : resolve(lessonDir, 'src');
}
