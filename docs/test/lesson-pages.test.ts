import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listLessons, ROOT } from '@lessons/course';
import { describe, expect, it } from 'vitest';
import config, { sidebarText } from '../.vitepress/config.ts';

/** The sections of every lesson page, in order: the exercise pattern's page shape. */
const SHAPE = [
  'Goal',
  'The idea',
  'Worked example',
  'Your task',
  'Solution',
  'Run it',
  'What the tests prove',
  'Common mistakes',
];

describe('every lesson page', () => {
  it.each(listLessons().map((lesson) => [lesson.id, lesson] as const))(
    '%s has the sections of the pattern, in order, a task and a folded solution per exercise',
    (_, lesson) => {
      const page = readFileSync(join(ROOT, 'docs', 'lessons', `${lesson.id}.md`), 'utf8');
      const sections = [...page.matchAll(/^## (.+)$/gm)].map(([, title]) => title?.trim());
      expect(sections).toEqual(SHAPE);
      const task = page.slice(page.indexOf('\n## Your task'), page.indexOf('\n## Solution'));
      const solution = page.slice(page.indexOf('\n## Solution'), page.indexOf('\n## Run it'));
      for (const exercise of lesson.exercises) {
        expect(task, `the task of ${exercise.id}`).toContain(
          `pnpm check ${lesson.number} ${exercise.id}`,
        );
        expect(solution, `the solution of ${exercise.id}`).toContain(`#exercise-${exercise.id}`);
      }
    },
  );
});

describe('every lesson', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const sidebar = JSON.stringify(config.themeConfig?.sidebar);

  it.each(listLessons().map((lesson) => [lesson.id, lesson] as const))(
    '%s has one name: its title, in its heading, the sidebar and the README, as the commands print it',
    (_, lesson) => {
      const page = readFileSync(join(ROOT, 'docs', 'lessons', `${lesson.id}.md`), 'utf8');
      expect(/^# (.+)$/m.exec(page)?.[1], 'the heading of its page').toBe(
        `Lesson ${lesson.number}: ${lesson.title}`,
      );
      expect(sidebar, 'the sidebar').toContain(
        JSON.stringify({ text: sidebarText(lesson), link: `/lessons/${lesson.id}` }),
      );
      expect(readme, "the README's table of lessons").toContain(
        `| ${lesson.number}   | [${lesson.title}](docs/lessons/${lesson.id}.md) |`,
      );
    },
  );
});
