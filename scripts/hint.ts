// pnpm hint <lesson> [--reset]
import { runHint } from '@lessons/course/hint';

process.exitCode = runHint(process.argv.slice(2));
