import { describe, expect, it } from 'vitest';
import { errorText } from '../src/child/reporter.ts';

// The shape of vitest's serialized assertion error, as a graded run reports it.
const diff = [
  '\u001b[32m- Expected\u001b[39m',
  '\u001b[31m+ Received\u001b[39m',
  '',
  '@@ -2,9 +2,9 @@',
  '    {',
  '      "token": "token-ana",',
  '\u001b[32m-     "serverOffset": 41,\u001b[39m',
  '\u001b[31m+     "serverOffset": 0,\u001b[39m',
  '    },',
].join('\n');

describe('errorText(), what a learner reads of a failed assertion', () => {
  it('follows a message that cuts its values short with the lines that differ', () => {
    const message =
      "auth at the reconnection: expected [ { token: 'token-ana', …(1) }, …(1) ] to deeply equal [ { token: 'token-ana', …(1) }, …(1) ]";
    expect(errorText({ name: 'AssertionError', message, diff })).toBe(
      [
        message,
        '(- expected, + received)',
        '-     "serverOffset": 41,',
        '+     "serverOffset": 0,',
      ].join('\n'),
    );
  });

  it('keeps a message that shows its values whole as it is', () => {
    const message = 'the offset the client keeps: expected 0 to be 41 // Object.is equality';
    expect(errorText({ name: 'AssertionError', message, diff })).toBe(
      'the offset the client keeps: expected 0 to be 41',
    );
  });

  it('shows at most 8 changed lines, and says how many more there are', () => {
    const long = ['- Expected', '+ Received', ''];
    for (let i = 0; i < 12; i++) long.push(`-   "a${i}": 1,`);
    const text = errorText({
      name: 'AssertionError',
      message: 'expected { Object (a0, a1, ...) } to deeply equal {}',
      diff: long.join('\n'),
    });
    expect(text.split('\n')).toHaveLength(1 + 1 + 8 + 1);
    expect(text.split('\n').at(-1)).toBe('… 4 more');
  });
});
