/** A run's score against the tests it should have run, and the reasons a person can read. */

import type { SuiteRun, TestOutcome } from './run.ts';
import type { ExpectedTest } from './tests.ts';

export interface Score {
  passed: number;
  total: number;
  /** 0 to 1. */
  score: number;
  /** One outcome per expected test, in order; a test that never ran counts as failed. */
  tests: TestOutcome[];
  failing: TestOutcome[];
  /** Tests skipped (for a missing program, or by the lesson's config): counted neither as passed nor in the total. */
  skipped: TestOutcome[];
  /** Why points were lost, or what the code did that it should not, in plain words. */
  reasons: string[];
}

const key = (test: ExpectedTest) => `${test.file} > ${test.name}`;

/**
 * Score a run against the tests the reference passes: a test counts as
 * passed only if it ran and passed, so tests that never ran (their file could
 * not be imported, or the run was stopped) count as failed.
 */
export function scoreRun(run: SuiteRun, expected: ExpectedTest[], timeoutMs: number): Score {
  const byKey = new Map(run.tests.map((test) => [key(test), test]));
  const tests = expected.map(
    (test): TestOutcome =>
      byKey.get(key(test)) ?? { ...test, state: 'failed', errors: ['did not run'], durationMs: 0 },
  );
  // Skipped on purpose (by the lesson's config, or for a missing program): never counted.
  const skipped = tests.filter((test) => test.state === 'skipped');
  const counted = tests.filter((test) => !skipped.includes(test));
  const failing = counted.filter((test) => test.state !== 'passed');
  const passed = counted.length - failing.length;
  const total = counted.length;
  return {
    passed,
    total,
    score: total === 0 ? 0 : passed / total,
    tests,
    failing,
    skipped,
    reasons: [...explain(run, failing, timeoutMs), ...retriedReason(counted)],
  };
}

/** Say when grading's retry policy decided a test: it passed only when run again. */
function retriedReason(tests: TestOutcome[]): string[] {
  const retried = tests.filter((test) => test.state === 'passed' && (test.retries ?? 0) > 0);
  if (retried.length === 0) return [];
  return [
    `passed ${retried.length} test(s) only when run again (grading runs a failed test once more): ${retried.map((test) => test.name).join('; ')}`,
  ];
}

const firstLine = (text: string) => text.split('\n').find((line) => line.trim() !== '') ?? text;
const clip = (text: string, length = 160) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;

/** What vitest throws where the code under test calls process.exit(code). */
const EXIT_CALLED = /process\.exit unexpectedly called with "([^"]*)"/;

/** Why a file could not be imported, e.g. `does not compile: app.ts: Unexpected token`. */
function importProblem(message: string): string {
  if (
    /SyntaxError|Transform failed|Parse error|Unexpected token|Expected .* but found/i.test(message)
  ) {
    // Oxc: "Transform failed with 1 error:\n\n[PARSE_ERROR] Expected `,` or `}` but found `;`\n ╭─[ submission/app.ts:33:32 ]"
    const problem = /\[[A-Z_]+\]\s*(.+)/.exec(message)?.[1];
    const where = /\[\s*(?:\S*\/)?([^/\s]+:\d+):\d+\s*\]/.exec(message)?.[1];
    const text = problem
      ? `${where ? `${where}: ` : ''}${problem}`
      : firstLine(message).replace(/^SyntaxError: /, '');
    return `does not compile: ${clip(text)}`;
  }
  if (
    /Failed to load url|Cannot find module|ERR_MODULE_NOT_FOUND|does not provide an export/.test(
      message,
    )
  ) {
    return `a file or an export is missing: ${clip(firstLine(message))}`;
  }
  return `throws on import: ${clip(firstLine(message))}`;
}

function explain(run: SuiteRun, failing: TestOutcome[], timeoutMs: number): string[] {
  const reasons = new Set<string>();
  if (run.timedOut) {
    reasons.add(
      `stopped at the ${Math.round(timeoutMs / 1000)} s time limit: the tests never finished (an endless loop, or code that never answers?)`,
    );
  } else if (!run.finished) {
    const lines = run.output.split('\n');
    const error = lines.find((line) => /\b\w*Error\b/.test(line)) ?? lines.at(-1) ?? 'no output';
    reasons.add(`the test run crashed: ${clip(error.trim(), 200)}`);
  }

  const { fixedPorts, leaks, exits } = run.notes;
  for (const { code, at } of exits) reasons.add(`calls process.exit(${code}) (${at})`);
  const exitCalled = (error: string) => {
    const exit = EXIT_CALLED.exec(error);
    if (exit && exits.length === 0) reasons.add(`calls process.exit(${exit[1]})`);
    return exit !== null;
  };
  for (const file of run.files) {
    for (const error of file.errors) {
      if (exitCalled(error)) continue;
      reasons.add(
        file.tests === 0 ? importProblem(error) : `${file.file}: ${clip(firstLine(error))}`,
      );
    }
  }
  for (const error of run.unhandled) {
    if (!exitCalled(error)) reasons.add(`throws outside a test: ${clip(firstLine(error))}`);
  }
  for (const { port, at } of fixedPorts) {
    reasons.add(`listens on port ${port} (${at}): only server.ts may listen`);
  }
  // Each reason so far explains every failure (a crash, an import, an exit, a fixed port);
  // the ones below do not, so each failing test's own cause is given beside them.
  const explained = reasons.size > 0;
  for (const { kind, at } of leaks) {
    // A fixed-port listen that was never closed is one mistake, not two.
    if (!fixedPorts.some((listen) => listen.at === at)) {
      reasons.add(`leaves ${kind} open after the tests (${at})`);
    }
  }

  let noAnswer = 0;
  for (const test of failing) {
    for (const error of test.errors) {
      exitCalled(error);
      if (/Test timed out in/.test(error)) noAnswer += 1;
    }
  }
  if (noAnswer > 0) {
    reasons.add(
      `${noAnswer === 1 ? '1 test' : `${noAnswer} tests`} got no answer in time (a handler that never replies?)`,
    );
  }
  // Each distinct failure once: the first line of its error, with the tests it broke.
  const ran = failing.filter(
    (test) => test.errors[0] !== 'did not run' && !/Test timed out in/.test(test.errors[0] ?? ''),
  );
  if (!explained) {
    const causes = new Map<string, string[]>();
    for (const test of ran) {
      const cause = clip(firstLine(test.errors[0] ?? 'failed'), 300);
      causes.set(cause, [...(causes.get(cause) ?? []), test.name]);
    }
    for (const [cause, names] of causes) {
      reasons.add(
        names.length === 1
          ? `fails "${names[0]}": ${cause}`
          : `fails ${names.length} tests ("${names[0]}", …): ${cause}`,
      );
    }
  }
  return [...reasons];
}
