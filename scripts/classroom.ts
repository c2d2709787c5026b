// pnpm classroom [<lesson>...] [--out file] [--points n] [--timeout min]
import { runClassroom } from '@lessons/course/classroom';

process.exitCode = runClassroom(process.argv.slice(2));
