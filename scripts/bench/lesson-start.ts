// Benchmark: how long `pnpm lesson 1 --server-only` takes to print its URL.
// Usage: node --import tsx scripts/bench/lesson-start.ts [runs=7]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from '@lessons/course';
import { freePort } from '../../packages/test-kit/index.ts';
import { median } from './median.ts';

const runs = Number(process.argv[2] ?? 7);

async function timeToUrl(command: string, args: string[]): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, [...args, '--port', String(port)], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line.includes(`Listening on http://localhost:${port}`)) break;
  }
  const elapsed = performance.now() - started;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  await exited;
  return elapsed;
}

for (const [label, command, args] of [
  ['pnpm lesson 1 --server-only', 'pnpm', ['--silent', 'lesson', '1', '--server-only']],
  [
    'node --import tsx scripts/lesson.ts 1 --server-only',
    process.execPath,
    ['--import', 'tsx', 'scripts/lesson.ts', '1', '--server-only'],
  ],
] as const) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeToUrl(command, [...args]));
  console.log(
    `${label}: median ${median(times).toFixed(0)} ms over ${runs} runs (${times.map((t) => t.toFixed(0)).join(', ')})`,
  );
}
