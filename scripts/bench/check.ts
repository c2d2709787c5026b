// Benchmark: how long `pnpm check N` takes from start to its report, several
// runs, median. Run it on a quiet machine.
//   node --import tsx scripts/bench/check.ts [--runs 5] [--lesson 3] [--solution]
import { spawnSync } from 'node:child_process';
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
const times: number[] = [];
for (let run = 1; run <= Number(values.runs); run += 1) {
  const started = performance.now();
  const result = spawnSync('pnpm', args, { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  times.push(seconds);
  const summary = /^(?:✓ All \d+ tests pass\.|\d+ of \d+ tests pass\.)$/m.exec(result.stdout)?.[0];
  console.log(
    `run ${run}: ${seconds.toFixed(2)} s, exit ${result.status}: ${summary ?? 'no report!'}`,
  );
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `median of ${times.length} runs: ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(2)} s for pnpm ${args.join(' ')}`,
);
