import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { classroomWorkflow, runClassroom } from '../src/commands/classroom.ts';
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
