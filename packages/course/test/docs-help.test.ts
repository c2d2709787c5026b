import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import commands from '../../../docs/reference/commands.data.ts';
import { USAGE as check } from '../src/commands/check.ts';
import { USAGE as grade } from '../src/commands/grade.ts';
import { ROOT } from '../src/lessons.ts';

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
