// Benchmark: how long the first commands take to be of use, several runs,
// medians: `pnpm lesson 1` (server and demo clients) and `pnpm lesson 1
// --server-only` until the server prints its URL, and `pnpm start` until the
// site answers `GET /` on port 5173 (which must be free); and, as the floor
// measured in the same run, pnpm starting one Node process with tsx.
// Pass other checkouts to time them in the same run, alternating with this one:
//   node --import tsx scripts/bench/start-up.ts [--runs 7] [--only lesson] [/path/to/other/checkout …]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ROOT } from '@lessons/course';
import { freePort } from '@lessons/test-kit';
import { median } from './median.ts';

const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, only: { type: 'string' } },
  allowPositionals: true,
});
const checkouts = [ROOT, ...positionals];
const SITE_PORT = 5173;

/** Start `pnpm <args>` in `cwd` in a process group of its own; stop the group when `ready` resolves. */
async function timeUntil(
  cwd: string,
  args: string[],
  ready: (lines: AsyncIterable<string>) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  const child = spawn('pnpm', ['--silent', ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  await ready(createInterface({ input: child.stdout }));
  const elapsed = performance.now() - started;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  await exited;
  return elapsed;
}

async function lessonListening(cwd: string, extra: string[]): Promise<number> {
  const port = await freePort();
  return timeUntil(cwd, ['lesson', '1', '--port', String(port), ...extra], async (lines) => {
    for await (const line of lines) {
      if (line.includes(`Listening on http://localhost:${port}`)) return;
    }
    throw new Error('pnpm lesson exited before listening');
  });
}

function siteAnswering(cwd: string): Promise<number> {
  return timeUntil(cwd, ['start'], async (lines) => {
    const drain = (async () => {
      for await (const _ of lines);
    })();
    for (;;) {
      const status = await fetch(`http://localhost:${SITE_PORT}/`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    void drain;
  });
}

/** The floor: pnpm starting one Node process with tsx that prints a line, and nothing else. */
async function floor(cwd: string): Promise<number> {
  const port = await freePort();
  return timeUntil(
    cwd,
    [
      'exec',
      'node',
      '--import',
      'tsx',
      '-e',
      `console.log('Listening on http://localhost:${port}')`,
    ],
    async (lines) => {
      for await (const line of lines) if (line.includes('Listening on')) return;
    },
  );
}

const measures = {
  'floor: pnpm exec node --import tsx, printing a line': floor,
  'pnpm lesson 1 (server and demo clients) to listening': (cwd: string) => lessonListening(cwd, []),
  'pnpm lesson 1 --server-only to listening': (cwd: string) =>
    lessonListening(cwd, ['--server-only']),
  'pnpm start to the site answering GET /': siteAnswering,
};

for (const [label, measure] of Object.entries(measures)) {
  if (values.only && !label.includes(values.only)) continue;
  const times = new Map<string, number[]>(checkouts.map((c) => [c, []]));
  for (let run = 0; run < Number(values.runs); run++) {
    for (const checkout of checkouts) times.get(checkout)?.push(await measure(checkout));
  }
  for (const [checkout, ms] of times) {
    console.log(
      `${label} [${checkout}]: median ${median(ms).toFixed(0)} ms over ${ms.length} runs (${ms.map((t) => t.toFixed(0)).join(', ')})`,
    );
  }
}
