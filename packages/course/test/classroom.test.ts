import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { classroomWorkflow, runClassroom } from '../src/commands/classroom.ts';
import { answerRegions } from '../src/exercises.ts';
import { currentListing } from '../src/grading/listing.ts';
import { findLesson, listLessons } from '../src/lessons.ts';

interface Step {
  name: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

describe('classroomWorkflow()', () => {
  const lessons = listLessons();
  const workflow = parse(classroomWorkflow({ lessons, points: 10, timeoutMinutes: 5 }));
  const job = workflow.jobs['run-autograding-tests'];
  const steps: Step[] = job.steps;

  it('installs the course with the lockfile before grading', () => {
    expect(steps.map((step) => step.uses ?? step.run).slice(0, 4)).toEqual([
      'actions/checkout@v4',
      'pnpm/action-setup@v4',
      'actions/setup-node@v4',
      'pnpm install --frozen-lockfile',
    ]);
  });

  it('has one step per lesson that runs pnpm check N and is worth its own score', () => {
    const graders = steps.filter(
      (step) => step.uses === 'classroom-resources/autograding-command-grader@v1',
    );
    expect(graders.map((step) => [step.id, step.with?.command, step.with?.['max-score']])).toEqual(
      lessons.map((lesson) => [
        `lesson-${String(lesson.number).padStart(2, '0')}`,
        `pnpm check ${lesson.number}`,
        10,
      ]),
    );
  });

  it('installs redis-server and nginx for a lesson that requires them, and nothing for the others', () => {
    const lesson7 = lessons.filter((lesson) => lesson.requires.includes('redis-server'));
    const others = lessons.filter((lesson) => !lesson.requires.some((name) => name !== 'chromium'));
    const runs = (chosen: typeof lessons) =>
      (
        parse(classroomWorkflow({ lessons: chosen, points: 10, timeoutMinutes: 5 })).jobs[
          'run-autograding-tests'
        ].steps as Step[]
      ).flatMap((step) => (step.run?.includes('apt-get') ? [step.run] : []));
    expect(lesson7.length, 'a lesson that requires redis-server').toBeGreaterThan(0);
    expect(runs(lesson7)).toEqual([
      'sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends nginx redis-server',
    ]);
    expect(runs(others)).toEqual([]);
  });

  it('reports every lesson step to GitHub Classroom', () => {
    const reporter = steps.at(-1);
    expect(reporter?.uses).toBe('classroom-resources/autograding-grading-reporter@v1');
    expect(reporter?.with?.runners).toBe(
      lessons.map((l) => `lesson-${String(l.number).padStart(2, '0')}`).join(','),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(reporter?.env?.['LESSON-01_RESULTS']).toBe('${{ steps.lesson-01.outputs.result }}');
  });

  it('runs on push and never on the Classroom bot’s own commits', () => {
    expect(workflow.on).toEqual(['push', 'workflow_dispatch', 'repository_dispatch']);
    expect(job.if).toBe("github.actor != 'github-classroom[bot]'");
  });
});

describe('pnpm classroom', () => {
  it('writes the workflow for the lessons named to the file --out names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'classroom-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const out = join(dir, '.github/workflows/classroom.yml');
      expect(runClassroom(['1', '--out', out, '--points', '20'])).toBe(0);
      const lesson = findLesson('1');
      expect(readFileSync(out, 'utf8')).toContain(`test-name: "Lesson 1: ${lesson?.title}"`);
      expect(readFileSync(out, 'utf8')).toContain('max-score: 20');
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on an unknown lesson or a bad --points', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(runClassroom(['42'])).toBe(2);
    expect(runClassroom(['--points', '0'])).toBe(2);
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/--points "0" is not valid/));
    error.mockRestore();
  });
});

describe('pnpm classroom --template', { timeout: 300_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'class-template-'));
  // The class's node_modules is thousands of files: on a busy machine, more than a hook's 10 s.
  afterAll(() => rmSync(scratch, { recursive: true, force: true }), 120_000);
  const dir = join(scratch, 'class');
  const run = () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      return runClassroom(['--template', dir], scratch);
    } finally {
      log.mockRestore();
    }
  };
  // Every answer of the course, as its region's lines: none may reach the students.
  const answers = listLessons().flatMap((lesson) =>
    answerRegions(lesson.dir).map((region) => ({
      where: `${lesson.id}/src/${region.file}#exercise-${region.id}`,
      text: region.body.join('\n'),
    })),
  );

  it('writes the course without a solution: src/ is the starter, no page has one, nothing holds an answer', () => {
    expect(run()).toBe(0);
    for (const lesson of listLessons(join(dir, 'lessons'))) {
      for (const file of readdirSync(join(lesson.dir, 'starter'))) {
        expect(
          readFileSync(join(lesson.dir, 'src', file), 'utf8'),
          `${lesson.id}/src/${file}`,
        ).toBe(readFileSync(join(lesson.dir, 'starter', file), 'utf8'));
      }
      expect(currentListing(lesson.dir), `${lesson.id}/test/tests.json`).toBeDefined();
    }
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) =>
      /\.(ts|md|js|json|yml)$/.test(file),
    );
    const texts = files.map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
    for (const { file, text } of texts) {
      expect(text, file).not.toMatch(/^::: details Solution/m);
      for (const answer of answers.filter((a) => a.text.trim().length > 0)) {
        expect(text.includes(answer.text), `${file} holds ${answer.where}`).toBe(false);
      }
    }
    expect(readFileSync(join(dir, '.github/workflows/classroom.yml'), 'utf8')).toContain(
      'pnpm check 1',
    );
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^> \*\*A class repository\*\*/);
  });

  it('runs pnpm check there, as a student and the workflow do', () => {
    const install = spawnSync('pnpm', ['install', '--offline', '--frozen-lockfile'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(install.status, install.stderr).toBe(0);
    const check = spawnSync('pnpm', ['check', '1'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/^0 of \d+ tests pass\.$/m);
  });

  it('refuses a folder that is not empty', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(runClassroom(['--template', dir], scratch)).toBe(2);
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/is not empty/));
    } finally {
      log.mockRestore();
    }
  });
});
