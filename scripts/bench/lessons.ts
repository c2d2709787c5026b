// Benchmark: how long each named lesson's whole test suite takes (wall clock,
// `vitest run` in the lesson's folder, as `pnpm test` runs it), several runs
// alternating between the lessons, medians; each beside the first lesson named,
// the floor measured in the same run (lesson 1 by default: the smallest suite).
//   node --import tsx scripts/bench/lessons.ts [--runs 5] 1 6 8
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { findLesson } from '@lessons/course';
import { median } from './median.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '5' } },
});
const lessons = (positionals.length > 0 ? positionals : ['1']).map((query) => {
  const lesson = findLesson(query);
  if (!lesson) throw new Error(`No lesson ${query}`);
  return lesson;
});

const times = new Map(lessons.map((lesson) => [lesson.id, [] as number[]]));
for (let run = 1; run <= Number(values.runs); run++) {
  for (const lesson of lessons) {
    const started = performance.now();
    const result = spawnSync('pnpm', ['exec', 'vitest', 'run'], {
      cwd: lesson.dir,
      encoding: 'utf8',
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`lesson ${lesson.id} failed:\n${result.stdout}`);
    times.get(lesson.id)?.push(seconds);
    console.log(`run ${run}: lesson ${lesson.number} ${seconds.toFixed(2)} s`);
  }
}
const floor = median(times.get(lessons[0]?.id ?? '') ?? []);
console.log(`\nmedians of ${values.runs} runs, beside lesson ${lessons[0]?.number}:`);
for (const lesson of lessons) {
  const m = median(times.get(lesson.id) ?? []);
  console.log(`  lesson ${lesson.number}: ${m.toFixed(2)} s (${(m / floor).toFixed(2)}×)`);
}
