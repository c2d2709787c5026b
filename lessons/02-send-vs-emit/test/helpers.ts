// What lesson 2's test files share: the app, started with its log collected, and a matcher for its log lines.
import { type Kit, type StartedLesson, startLesson } from '@lessons/test-kit';
import { expect } from 'vitest';
import { type AppOptions, createApp } from '#target/app.ts';

export type Lesson = StartedLesson<ReturnType<typeof createApp>>;

/** Start the app with its log collected in `lines` instead of printed, on `kit` if given. */
export async function start(
  options: AppOptions = {},
  kit: Pick<Kit, 'startLesson'> = { startLesson },
): Promise<Lesson & { lines: string[] }> {
  const lines: string[] = [];
  const lesson = await kit.startLesson(createApp, { log: (line) => lines.push(line), ...options });
  return Object.assign(lesson, { lines });
}

/** Matches a log line that contains every one of `parts`, in order. */
export function lineWith(...parts: string[]) {
  const escaped = parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return expect.stringMatching(new RegExp(escaped.join('.*')));
}
