// pnpm check <lesson> [--watch] [--solution]
import { runCheck } from '@lessons/course/check';

process.exitCode = await runCheck(process.argv.slice(2));
