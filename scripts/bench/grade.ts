// Benchmark: grade 30 copies of lesson 3's reference with `pnpm grade 3`, several
// times, and report the median wall time. Each copy must score 100%.
//   node --import tsx scripts/bench/grade.ts [--runs 3] [--copies 30] [--lesson 3]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findLesson, lessonTag, ROOT } from '@lessons/course';
import { median } from './median.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    copies: { type: 'string', default: '30' },
    lesson: { type: 'string', default: '3' },
  },
});
const lesson = findLesson(values.lesson);
if (!lesson) throw new Error(`There is no lesson "${values.lesson}".`);
const copies = Number(values.copies);

const work = mkdtempSync(join(tmpdir(), 'bench-grade-'));
const dirs = Array.from({ length: copies }, (_, index) => {
  const dir = join(work, 'class', `student-${String(index + 1).padStart(2, '0')}`);
  cpSync(join(lesson.dir, 'src'), dir, { recursive: true });
  return dir;
});

const times: number[] = [];
try {
  for (let run = 1; run <= Number(values.runs); run += 1) {
    const out = join(work, `grades-${run}`);
    const started = performance.now();
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/grade.ts', lesson.id, ...dirs, '--out', out],
      {
        cwd: ROOT,
        stdio: 'ignore',
      },
    );
    const seconds = (performance.now() - started) / 1000;
    times.push(seconds);
    const name = `${lessonTag(lesson)}.json`;
    const grades = JSON.parse(readFileSync(join(out, name), 'utf8')) as {
      students: { student: string; score: number; reasons: string[] }[];
    };
    const short = grades.students.filter((student) => student.score !== 100);
    console.log(
      `run ${run}: ${seconds.toFixed(1)} s, ${grades.students.length - short.length}/${grades.students.length} at 100%`,
    );
    for (const student of short)
      console.log(`  ${student.student}: ${student.score}% ${student.reasons.join('; ')}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `median of ${times.length} runs: ${median(times).toFixed(1)} s to grade ${copies} copies of lesson ${lesson.number}`,
);
