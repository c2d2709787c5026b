import { USAGE as check } from '../../packages/course/src/check.ts';
import { USAGE as classroom } from '../../packages/course/src/classroom.ts';
import { USAGE as grade } from '../../packages/course/src/grade.ts';
import { USAGE as hint } from '../../packages/course/src/hint.ts';
import { USAGE as progress } from '../../packages/course/src/progress.ts';
import { USAGE as lesson } from '../../packages/course/src/runner.ts';
import { USAGE as verify } from '../../packages/course/src/verify.ts';

/** Each command's help, as `pnpm <command> --help` prints it. */
export interface CommandHelp {
  lesson: string;
  check: string;
  hint: string;
  progress: string;
  grade: string;
  classroom: string;
  verify: string;
}

declare const data: CommandHelp;

export { data };

// The help on the site is the commands' own USAGE text, read at build time:
// change a command's help and the pages follow.
export default {
  watch: ['../../packages/course/src/*.ts'],
  load(): CommandHelp {
    return { lesson, check, hint, progress, grade, classroom, verify };
  },
};
