import { relative } from 'node:path';
import type { Reporter, TestCase } from 'vitest/node';

/**
 * A vitest reporter that names every test skipped with a reason
 * (`context.skip(reason)`, as `useBrowser()` and `requireBinary()` do for a
 * missing program) once the run ends, grouped by reason: vitest's default
 * reporter only counts them.
 *
 * @example
 * // vitest.config.ts
 * test: { reporters: ['default', './packages/test-kit/skip-reporter.ts'] }
 */
export default class SkipReporter implements Reporter {
  readonly #byReason = new Map<string, string[]>();

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    if (result.state !== 'skipped' || !result.note) return;
    const names = this.#byReason.get(result.note) ?? [];
    names.push(`${relative(process.cwd(), test.module.moduleId)} > ${test.fullName}`);
    this.#byReason.set(result.note, names);
  }

  onTestRunEnd(): void {
    for (const [reason, names] of this.#byReason) {
      const list = names.map((name) => `  ↓ ${name}`).join('\n');
      console.log(`\nSkipped ${names.length} test(s): ${reason}\n${list}`);
    }
    this.#byReason.clear();
  }
}
