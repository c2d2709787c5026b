// pnpm progress
import { runProgress } from '@lessons/course/progress';

process.exitCode = await runProgress(process.argv.slice(2));
