import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@lessons/course';
import { USAGE as check } from '@lessons/course/check';
import { USAGE as grade } from '@lessons/course/grade';
import { describe, expect, it } from 'vitest';
import commands from '../reference/commands.data.ts';

const page = (path: string) => readFileSync(join(ROOT, 'docs', path), 'utf8');

describe('the help on the docs site', () => {
  it('is each command’s own USAGE text, loaded at build time', () => {
    const help = commands.load();
    expect(help.check).toBe(check);
    expect(help.grade).toBe(grade);
    expect(Object.values(help).every((usage) => usage.startsWith('Usage: pnpm '))).toBe(true);
  });

  it.each([
    [
      'reference/commands.md',
      [
        'start',
        'lesson',
        'check',
        'hint',
        'progress',
        'grade',
        'classroom',
        'verify',
        'verifyLessons',
      ],
    ],
    ['guide/instructors.md', ['grade', 'classroom', 'check', 'verifyLessons']],
  ])('%s embeds the help of %j and pastes none', (file, names) => {
    for (const name of names) expect(page(file)).toContain(`{{ help.${name} }}`);
    expect(page(file)).not.toContain('Usage: pnpm');
  });
});
