// pnpm lesson <N> [--port n] [--server-only] [--starter] [--redis]
import { runLesson } from '@lessons/course/lesson';

process.exitCode = await runLesson(process.argv.slice(2));
