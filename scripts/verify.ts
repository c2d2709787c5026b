// pnpm verify: a browser first, then lint, typecheck, the site build, every test and lessons:verify.
import { runVerify } from '@lessons/course/verify';

process.exitCode = await runVerify(process.argv.slice(2));
