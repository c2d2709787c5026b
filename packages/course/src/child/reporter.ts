/**
 * A vitest reporter that turns a run into plain events: one per test, one per
 * test file, one at the end. The commands load it by path in the vitest child
 * process they start. There it appends each event as a line of JSON to the
 * report file the run's spec names (`COURSE_RUN`, see `gradedVitest()`), as
 * soon as it happens, so that a run stopped at its time limit still tells what
 * had passed. The guard writes its notes to the same file: one transport.
 */
import { appendFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { runSpec } from '@lessons/test-kit/target';
import type { UserConsoleLog } from 'vitest';
import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node';
import type { GuardNotes } from './guard.ts';

export type TestState = 'passed' | 'failed' | 'skipped';

/** One test's outcome, as the reporter sends it and the scorer reads it. */
export interface TestOutcome {
  /** `test/app.test.ts`, relative to the lesson folder. */
  file: string;
  /** `welcome > greets a socket over WebSocket only with its own socket.id` */
  name: string;
  state: TestState;
  errors: string[];
  durationMs: number;
  /** Why a test was skipped: a program it needs is missing (`requireBinary()`, `useBrowser()`). */
  note?: string;
  /** How many times it ran again after failing (grading retries a failed test once). */
  retries?: number;
  /** What the code wrote with console.log/error while the test ran, in order. */
  logs?: string[];
}

export type RunEvent =
  | { type: 'start' }
  | ({ type: 'test' } & TestOutcome)
  | { type: 'file'; file: string; tests: number; errors: string[] }
  | { type: 'end'; errors: string[] }
  /** Written by the guard, in the test worker, the moment it notices something. */
  | { type: 'notes'; notes: Partial<GuardNotes> };

/** At most this many changed lines of an assertion's diff follow its message. */
const MAX_DIFF_LINES = 8;

/**
 * The message of a vitest error, without colours, stack or vitest's own remarks. When
 * the message cuts the values short (`{ token: 'token-ana', …(1) }`), the lines of
 * vitest's diff that differ follow it, so that the learner sees what differs.
 */
export function errorText(error: SerializedError | undefined): string {
  if (!error) return 'failed';
  const name = error.name && error.name !== 'Error' && error.name !== 'AssertionError';
  const message = stripVTControlCharacters(String(error.message ?? error))
    .replace(/ \/\/ Object\.is equality$/m, '')
    .trim();
  const text = name ? `${error.name}: ${message}` : message;
  if (typeof error.diff !== 'string' || !/…\(\d+\)|Array\(\d+\)|Object \(/.test(message)) {
    return text;
  }
  const changed = stripVTControlCharacters(error.diff)
    .split('\n')
    .filter((line) => /^[-+] /.test(line) && !/^[-+] (Expected|Received)$/.test(line));
  if (changed.length === 0) return text;
  const shown = changed.slice(0, MAX_DIFF_LINES);
  if (changed.length > shown.length) shown.push(`… ${changed.length - shown.length} more`);
  return [text, '(- expected, + received)', ...shown].join('\n');
}

/** The errors of the suites around a test (a failed beforeAll, say), innermost first. */
function suiteErrors(test: TestCase): SerializedError[] {
  const errors: SerializedError[] = [];
  for (let suite = test.parent; ; suite = suite.parent) {
    errors.push(...suite.errors());
    if (suite.type === 'module') return errors;
  }
}

function testState(test: TestCase): TestState {
  const { state } = test.result();
  return state === 'pending' ? 'skipped' : state;
}

/** At most this many lines of console output are kept per test. */
const MAX_LOG_LINES = 40;

export default class CourseReporter implements Reporter {
  readonly #file = runSpec()?.reportFile;
  readonly #logs = new Map<string, string[]>();

  onUserConsoleLog(log: UserConsoleLog): void {
    if (!log.taskId) return;
    const lines = this.#logs.get(log.taskId) ?? [];
    const prefix = log.type === 'stderr' ? 'stderr: ' : '';
    for (const line of stripVTControlCharacters(log.content).replace(/\n$/, '').split('\n')) {
      if (lines.length < MAX_LOG_LINES) lines.push(`${prefix}${line}`);
    }
    this.#logs.set(log.taskId, lines);
  }

  #emit(event: RunEvent): void {
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(event)}\n`);
  }

  onTestRunStart(): void {
    this.#emit({ type: 'start' });
  }

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    const note = result.state === 'skipped' ? result.note : undefined;
    // Skipped because a hook of its suite failed (a server.ts that would not start), not on
    // purpose: that is a failure, or a broken submission would score full marks.
    const hookErrors = result.state === 'skipped' && !note ? suiteErrors(test) : [];
    if (hookErrors.length > 0) {
      this.#emit({
        type: 'test',
        file: test.module.relativeModuleId,
        name: test.fullName,
        state: 'failed',
        errors: hookErrors.map(errorText),
        durationMs: 0,
      });
      return;
    }
    const retries = test.diagnostic()?.retryCount ?? 0;
    // A failed test that ran side by side with others gets its group's output (see
    // #groupLogs()); any other test, what vitest says it printed.
    const concurrent = test.options.concurrent === true;
    const logs =
      concurrent && result.state === 'failed' ? this.#groupLogs(test) : this.#logs.get(test.id);
    if (!concurrent) this.#logs.delete(test.id);
    this.#emit({
      type: 'test',
      file: test.module.relativeModuleId,
      name: test.fullName,
      state: testState(test),
      errors: (result.errors ?? []).map(errorText),
      durationMs: Math.round(test.diagnostic()?.duration ?? 0),
      ...(note ? { note } : {}),
      ...(retries > 0 ? { retries } : {}),
      ...(logs ? { logs } : {}),
    });
  }

  /**
   * The output of a test that runs side by side with others (describe.concurrent): vitest
   * cannot tell which of them printed a line, so a failed one gets what the group printed.
   */
  #groupLogs(test: TestCase): string[] | undefined {
    const group = `${test.parent.id}_`;
    const lines = [...this.#logs]
      .filter(([id]) => id.startsWith(group))
      .flatMap(([, logs]) => logs);
    if (lines.length === 0) return undefined;
    return ['(these tests run side by side: any of them may have printed this)', ...lines];
  }

  onTestModuleEnd(module: TestModule): void {
    for (const id of [...this.#logs.keys()]) {
      if (id.startsWith(`${module.id}_`)) this.#logs.delete(id);
    }
    this.#emit({
      type: 'file',
      file: module.relativeModuleId,
      tests: [...module.children.allTests()].length,
      errors: module.errors().map(errorText),
    });
  }

  onTestRunEnd(
    _modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    // Errors a test left behind (an un-awaited promise of its own) are not the code's fault:
    // keep those that passed through the code under test.
    const target = runSpec()?.target;
    const fromTarget = (error: SerializedError) =>
      !target || String(error.stack ?? '').includes(target) || /process\.exit/.test(error.message);
    this.#emit({ type: 'end', errors: unhandledErrors.filter(fromTarget).map(errorText) });
  }
}
