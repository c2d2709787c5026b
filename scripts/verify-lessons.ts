// pnpm lessons:verify [<lesson>...]: every reference passes, every starter as shipped fails.
import { runVerify } from '@lessons/course/verify';

process.exitCode = await runVerify(process.argv.slice(2));
