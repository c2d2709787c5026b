// Relative paths: VitePress bundles a data loader as it does its config, and
// leaves packages to Node, which cannot load a .ts file.
import { USAGE as check } from '../../packages/course/src/commands/check.ts';
import { USAGE as classroom } from '../../packages/course/src/commands/classroom.ts';
import { USAGE as grade } from '../../packages/course/src/commands/grade.ts';
import { USAGE as hint } from '../../packages/course/src/commands/hint.ts';
import { USAGE as lesson } from '../../packages/course/src/commands/lesson.ts';
import { USAGE as progress } from '../../packages/course/src/commands/progress.ts';
import { USAGE as start } from '../../packages/course/src/commands/start.ts';
import { USAGE as verify } from '../../packages/course/src/commands/verify.ts';
import { USAGE as verifyLessons } from '../../packages/course/src/commands/verify-lessons.ts';

/** Each command's help, as `pnpm <command> --help` prints it. */
export interface CommandHelp {
  lesson: string;
  check: string;
  hint: string;
  progress: string;
  grade: string;
  classroom: string;
  verify: string;
  verifyLessons: string;
  start: string;
}

declare const data: CommandHelp;

export { data };

// The help on the site is the commands' own USAGE text, read at build time:
// change a command's help and the pages follow.
export default {
  watch: ['../../packages/course/src/*.ts'],
  load(): CommandHelp {
    return { start, lesson, check, hint, progress, grade, classroom, verify, verifyLessons };
  },
};
