// Benchmark: how long `pnpm check N` takes from start to its first result (a
// test file's "x of y pass"), to its report (the "x of y tests pass." line) and
// to its exit, several runs, medians. Run it on a quiet machine. Pass other
// checkouts to time them in the same run, alternating with this one:
//   node --import tsx scripts/bench/check.ts [--runs 5] [--lesson 3] [--solution] [/other/checkout …]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT } from '@lessons/course';
import { median } from './median.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '5' },
    lesson: { type: 'string', default: '3' },
    solution: { type: 'boolean', default: false },
  },
});
const args = ['check', values.lesson, ...(values.solution ? ['--solution'] : [])];
const FIRST = /^(?:✓ )?test\/\S+: \d+ of \d+ pass$/m;
const SUMMARY = /^(?:✓ All \d+ tests pass\.|\d+ of \d+ tests pass\.)$/m;

interface Timing {
  first: number;
  report: number;
  exit: number;
  code: number | null;
  summary?: string;
}

/** One `pnpm check` in `cwd`: seconds to its first result, to the report line and to the exit. */
function timeCheck(cwd: string): Promise<Timing> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const child = spawn('pnpm', args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let first = Number.NaN;
  let report = Number.NaN;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (Number.isNaN(first) && FIRST.test(stdout)) first = seconds();
    if (Number.isNaN(report) && SUMMARY.test(stdout)) report = seconds();
  });
  return new Promise((resolve) => {
    child.once('close', (code) =>
      resolve({ first, report, exit: seconds(), code, summary: SUMMARY.exec(stdout)?.[0] }),
    );
  });
}

const checkouts = [ROOT, ...positionals];
const runs = new Map<string, Timing[]>(checkouts.map((checkout) => [checkout, []]));
for (let run = 1; run <= Number(values.runs); run += 1) {
  for (const checkout of checkouts) {
    const timing = await timeCheck(checkout);
    runs.get(checkout)?.push(timing);
    console.log(
      `run ${run} [${checkout}]: first result at ${timing.first.toFixed(2)} s, report at ${timing.report.toFixed(2)} s, exit ${timing.code} at ${timing.exit.toFixed(2)} s: ${timing.summary ?? 'no report!'}`,
    );
  }
}
for (const [checkout, timings] of runs) {
  const at = (key: 'first' | 'report' | 'exit') =>
    median(timings.map((timing) => timing[key])).toFixed(2);
  console.log(
    `median of ${timings.length} runs [${checkout}]: first result at ${at('first')} s, report at ${at('report')} s, exit at ${at('exit')} s for pnpm ${args.join(' ')}`,
  );
}
