// One definition of full marks: pnpm check (what a learner runs), pnpm grade
// (what an instructor runs) and the GitHub Classroom workflow (which runs the
// command it names, and gives the points only on exit code 0) score the same
// code the same way.
import { exec } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { classroomWorkflow } from '../src/commands/classroom.ts';
import { type ClassGrades, gradeClass } from '../src/commands/grade.ts';
import { ROOT } from '../src/lessons.ts';
import { ECHO, learnerCourse, SUBMISSIONS, submission } from './fixtures.ts';

const lesson = ECHO;

// Every fixture submission but `flaky`, which grading's retry policy passes and a
// single run does not: the one difference between the two, and on purpose.
const submissions: Record<string, string> = {
  starter: join(lesson.dir, 'starter'),
  ...Object.fromEntries(
    SUBMISSIONS.filter((name) => name !== 'flaky').map((name) => [name, submission(name)]),
  ),
};

/** The step of the Classroom workflow that grades lesson 1: the command it runs. */
function classroomCommand(): string {
  const workflow = parse(classroomWorkflow({ lessons: [lesson], points: 10, timeoutMinutes: 5 }));
  const steps = workflow.jobs['run-autograding-tests'].steps as { with?: { command?: string } }[];
  const command = steps.find((step) => step.with?.command)?.with?.command;
  if (!command) throw new Error('the workflow runs no command');
  return command;
}

const courses: string[] = [];
afterAll(() => {
  for (const dir of courses) rmSync(dir, { recursive: true, force: true });
});

/** Run the Classroom workflow's command in a learner's course whose starter is `submission`. */
async function learnerRun(submission: string) {
  const lessons = learnerCourse(submission);
  courses.push(lessons);
  const run = await promisify(exec)(classroomCommand(), {
    cwd: ROOT,
    env: { ...process.env, COURSE_LESSONS_DIR: lessons, NO_COLOR: '1' },
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  const summary =
    /^(\d+) of (\d+) tests pass\.$/m.exec(run.stdout) ??
    /^✓ All ((\d+)) tests pass\.$/m.exec(run.stdout);
  if (!summary) throw new Error(`pnpm check printed no summary:\n${run.stdout}`);
  return { passed: Number(summary[1]), total: Number(summary[2]), exitCode: run.code };
}

describe('pnpm check, pnpm grade and the Classroom workflow agree', { timeout: 90_000 }, () => {
  let grades: ClassGrades;
  beforeAll(async () => {
    grades = await gradeClass({
      lesson,
      submissions: Object.entries(submissions).map(([student, dir]) => ({ student, dir })),
      // Long enough that no run is stopped: a time limit is grading's alone.
      timeoutMs: 60_000,
      jobs: 2,
      out: '',
    });
  }, 120_000);

  it('the Classroom workflow runs pnpm check on the lesson', () => {
    expect(classroomCommand()).toBe(`pnpm check ${lesson.number}`);
  });

  it.concurrent.for(Object.keys(submissions))(
    'on the %s submission: the same passed/total, and the Classroom points only at full marks',
    async (name) => {
      const grade = grades.students.find((student) => student.student === name);
      const learner = await learnerRun(submissions[name] as string);
      expect({ passed: learner.passed, total: learner.total }).toEqual({
        passed: grade?.passed,
        total: grade?.total,
      });
      expect(learner.exitCode === 0).toBe(grade?.score === 1);
    },
  );
});
