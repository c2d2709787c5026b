// pnpm grade <lesson> <dir>... [--timeout s] [--jobs n] [--out dir]
import { runGrade } from '@lessons/course/grade';

process.exitCode = await runGrade(process.argv.slice(2));
