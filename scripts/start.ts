// pnpm start: open the course site, and say how to start lesson 1.
import { spawn } from 'node:child_process';
import { formatLessonList, ROOT } from '@lessons/course';

console.log(`Realtime Lessons

The course site starts below: open the "Local" URL it prints.
In a second terminal, start a lesson's server and demo clients:

  pnpm lesson 1

Lessons:
${formatLessonList()}
`);

const site = spawn('pnpm', ['--silent', 'docs:dev'], { cwd: ROOT, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => site.kill(signal));
site.on('exit', (code) => {
  process.exitCode = code ?? 0;
});
