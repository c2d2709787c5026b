// pnpm lessons:verify [<lesson>...]: every reference passes, every starter as shipped fails.
import { runVerifyLessons } from '@lessons/course/verify-lessons';

process.exitCode = await runVerifyLessons(process.argv.slice(2));
