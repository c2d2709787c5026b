// pnpm start [--port n]: serve the course site, and say how to start lesson 1.
import { join } from 'node:path';
import { formatLessonList, ROOT } from '@lessons/course';
import { startCommand } from '@lessons/course/cli';
import { parseStartArgs, USAGE } from '@lessons/course/start';
import { serveDocs } from '../docs/.vitepress/dev-server.ts';

const run = startCommand(() => parseStartArgs(process.argv.slice(2)), USAGE);
if (typeof run === 'number') process.exit(run);

console.log(`Realtime Lessons

The course site starts below: open the "Local" URL it prints.
In a second terminal, start a lesson's server and demo clients:

  pnpm lesson 1

Lessons:
${formatLessonList()}
`);

const site = await serveDocs(join(ROOT, 'docs'), run.port);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => void site.close().then(() => process.exit(0)));
}
