// Benchmark: how long `pnpm check N` takes from start to its report (the
// "x of y tests pass" line) and to its exit, several runs, medians. Run it on
// a quiet machine.
//   node --import tsx scripts/bench/check.ts [--runs 5] [--lesson 3] [--solution]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT } from '@lessons/course';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    lesson: { type: 'string', default: '3' },
    solution: { type: 'boolean', default: false },
  },
});
const args = ['check', values.lesson, ...(values.solution ? ['--solution'] : [])];
const SUMMARY = /^(?:✓ All \d+ tests pass\.|\d+ of \d+ tests pass\.)$/m;

/** One `pnpm check`: seconds to the report line, seconds to the exit, and that line. */
function timeCheck(): Promise<{
  report: number;
  exit: number;
  code: number | null;
  summary?: string;
}> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const child = spawn('pnpm', args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let report = Number.NaN;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (Number.isNaN(report) && SUMMARY.test(stdout)) report = seconds();
  });
  return new Promise((resolve) => {
    child.once('close', (code) =>
      resolve({ report, exit: seconds(), code, summary: SUMMARY.exec(stdout)?.[0] }),
    );
  });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const reports: number[] = [];
const exits: number[] = [];
for (let run = 1; run <= Number(values.runs); run += 1) {
  const { report, exit, code, summary } = await timeCheck();
  reports.push(report);
  exits.push(exit);
  console.log(
    `run ${run}: report at ${report.toFixed(2)} s, exit ${code} at ${exit.toFixed(2)} s: ${summary ?? 'no report!'}`,
  );
}
console.log(
  `median of ${reports.length} runs: report at ${median(reports).toFixed(2)} s, exit at ${median(exits).toFixed(2)} s for pnpm ${args.join(' ')}`,
);
