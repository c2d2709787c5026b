import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@babel/parser';
import type { CallExpression, Expression, File, Node, SpreadElement } from '@babel/types';

/** A `describe` block with what it contains, or an `it`/`test` (no children). */
export interface TestNode {
  name: string;
  children?: TestNode[];
}

/** The tests of one file, e.g. `{ file: 'test/app.test.ts', tests: [...] }`. */
export interface TestFile {
  file: string;
  tests: TestNode[];
}

const SUITE = new Set(['describe', 'suite']);
const TEST = new Set(['it', 'test']);
// Modifiers that keep a test a test: it.skip, it.concurrent.only, describe.sequential…
const MODIFIERS = new Set(['skip', 'only', 'todo', 'concurrent', 'sequential', 'shuffle', 'fails']);
/** What a title shows where its value is only known when the test runs. */
const UNKNOWN = '…';

/**
 * The describe/it tree of every `*.test.ts` file in a lesson's `test/` folder
 * (`test/facts/` included),
 * read from the source without running it.
 *
 * @example
 * lessonTests('lessons/01-http-server'); // [{ file: 'test/app.test.ts', tests: [...] }]
 */
export function lessonTests(lessonDir: string): TestFile[] {
  const testDir = join(lessonDir, 'test');
  if (!existsSync(testDir)) return [];
  return readdirSync(testDir, { recursive: true, encoding: 'utf8' })
    .map((name) => name.split('\\').join('/'))
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => ({
      file: `test/${name}`,
      tests: testTree(readFileSync(join(testDir, name), 'utf8')),
    }))
    .filter((file) => file.tests.length > 0);
}

/** The describe/it tree of one test file's source. */
export function testTree(source: string): TestNode[] {
  const ast = parse(source, { sourceType: 'module', plugins: ['typescript'] });
  const constants = topLevelConstants(ast);
  return collect(ast.program, constants);
}

/** Walk `node` for test calls, stopping at each one (its body is walked by `fromCall`). */
function collect(node: Node, constants: Map<string, unknown>): TestNode[] {
  const found: TestNode[] = [];
  const visit = (current: unknown): void => {
    if (!current || typeof current !== 'object') return;
    if (Array.isArray(current)) {
      for (const item of current) visit(item);
      return;
    }
    const candidate = current as Node;
    if (candidate.type === 'CallExpression') {
      const nodes = fromCall(candidate, constants);
      if (nodes) {
        found.push(...nodes);
        return;
      }
    }
    for (const [key, value] of Object.entries(candidate)) {
      if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments') continue;
      if (value && typeof value === 'object') visit(value);
    }
  };
  visit(node);
  return found;
}

interface TestCallee {
  kind: 'suite' | 'test';
  /** The rows of `.each(rows)` / `.for(rows)`, or undefined for a plain call. */
  table?: Expression | SpreadElement;
}

/** `describe`, `it.skip`, `test.each(rows)`, `describe.concurrent.for(rows)`… or undefined. */
function calleeOf(callee: Node): TestCallee | undefined {
  // it.each(rows)('title', fn): the callee is itself a call.
  if (callee.type === 'CallExpression') {
    const inner = memberChain(callee.callee);
    const last = inner?.at(-1);
    if (!inner || (last !== 'each' && last !== 'for')) return undefined;
    const base = kindOf(inner.slice(0, -1));
    return base ? { kind: base, table: callee.arguments[0] as Expression } : undefined;
  }
  const chain = memberChain(callee);
  const kind = chain && kindOf(chain);
  return kind ? { kind } : undefined;
}

function kindOf(chain: string[]): 'suite' | 'test' | undefined {
  const [head, ...modifiers] = chain;
  if (!head || !modifiers.every((m) => MODIFIERS.has(m))) return undefined;
  if (SUITE.has(head)) return 'suite';
  if (TEST.has(head)) return 'test';
  return undefined;
}

/** `it.skip.each` → ['it', 'skip', 'each']; anything else → undefined. */
function memberChain(node: Node): string[] | undefined {
  if (node.type === 'Identifier') return [node.name];
  if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') {
    const object = memberChain(node.object);
    return object && [...object, node.property.name];
  }
  return undefined;
}

function fromCall(call: CallExpression, constants: Map<string, unknown>): TestNode[] | undefined {
  const callee = calleeOf(call.callee);
  if (!callee) return undefined;
  const [titleNode, body] = call.arguments;
  const title = titleNode ? titleOf(titleNode as Expression, constants) : UNKNOWN;
  const children = callee.kind === 'suite' && body ? collect(body, constants) : undefined;
  const names = callee.table ? eachTitles(title, callee.table, constants) : [title];
  return names.map((name) => (children ? { name, children } : { name }));
}

/** A title's text: a string, a template (unknown parts shown as `…`), or a function's name. */
function titleOf(node: Expression, constants: Map<string, unknown>): string {
  const value = evaluate(node, constants);
  if (typeof value === 'string') return value;
  if (node.type === 'TemplateLiteral') {
    return node.quasis
      .map((quasi, i) => {
        const expression = node.expressions[i] as Expression | undefined;
        const part = expression ? evaluate(expression, constants) : '';
        return `${quasi.value.cooked ?? quasi.value.raw}${part === NOT_STATIC ? UNKNOWN : String(part)}`;
      })
      .join('');
  }
  // describe(createApp, …) and describe(SomeClass, …) are titled by the name.
  if (node.type === 'Identifier') return node.name;
  return UNKNOWN;
}

/**
 * The titles `.each(rows)` produces, formatted as vitest formats them
 * (`%s`, `%i`, `%d`, `%j`, `%o`, `%#`, `%$`, `$name`), or the title with its
 * placeholders shown as `…` when the rows are only known at run time.
 */
function eachTitles(
  title: string,
  table: Expression | SpreadElement,
  constants: Map<string, unknown>,
): string[] {
  const rows = evaluate(table as Expression, constants);
  if (!Array.isArray(rows)) {
    return [title.replace(/%[sdifjoO#$%]|\$[\w.]+/g, (m) => (m === '%%' ? '%' : UNKNOWN))];
  }
  return rows.map((row, index) => formatTitle(title, row, index));
}

function formatTitle(title: string, row: unknown, index: number): string {
  if (row && typeof row === 'object' && !Array.isArray(row)) {
    return title
      .replace(/\$([\w.]+)/g, (_, path: string) =>
        show(path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], row)),
      )
      .replace(/%#/g, String(index))
      .replace(/%\$/g, String(index + 1));
  }
  const args = Array.isArray(row) ? [...row] : [row];
  return title.replace(/%[sdifjoO#$%]/g, (placeholder) => {
    if (placeholder === '%%') return '%';
    if (placeholder === '%#') return String(index);
    if (placeholder === '%$') return String(index + 1);
    const value = args.shift();
    if (placeholder === '%j' || placeholder === '%o' || placeholder === '%O') {
      return JSON.stringify(value);
    }
    if (placeholder === '%d' || placeholder === '%i') return String(Math.trunc(Number(value)));
    if (placeholder === '%f') return String(Number(value));
    return show(value);
  });
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

const NOT_STATIC = Symbol('not static');

/** The value of a literal expression (strings, numbers, arrays, objects, consts), or NOT_STATIC. */
function evaluate(node: Node, constants: Map<string, unknown>): unknown {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
      return node.value;
    case 'NullLiteral':
      return null;
    case 'TemplateLiteral': {
      let text = '';
      for (const [i, quasi] of node.quasis.entries()) {
        text += quasi.value.cooked ?? quasi.value.raw;
        const expression = node.expressions[i];
        if (!expression) continue;
        const value = evaluate(expression, constants);
        if (value === NOT_STATIC) return NOT_STATIC;
        text += String(value);
      }
      return text;
    }
    case 'ArrayExpression': {
      const items = node.elements.map((e) => (e ? evaluate(e, constants) : undefined));
      return items.includes(NOT_STATIC) ? NOT_STATIC : items;
    }
    case 'ObjectExpression': {
      const object: Record<string, unknown> = {};
      for (const property of node.properties) {
        if (property.type !== 'ObjectProperty' || property.computed) return NOT_STATIC;
        const key =
          property.key.type === 'Identifier'
            ? property.key.name
            : property.key.type === 'StringLiteral'
              ? property.key.value
              : undefined;
        const value = evaluate(property.value, constants);
        if (key === undefined || value === NOT_STATIC) return NOT_STATIC;
        object[key] = value;
      }
      return object;
    }
    case 'Identifier':
      return constants.has(node.name) ? constants.get(node.name) : NOT_STATIC;
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
      return evaluate(node.expression, constants);
    case 'UnaryExpression':
      if (node.operator === '-') {
        const value = evaluate(node.argument, constants);
        return typeof value === 'number' ? -value : NOT_STATIC;
      }
      return NOT_STATIC;
    default:
      return NOT_STATIC;
  }
}

/** `const NAME = <literal>` at the top level, so `it.each(CASES)` can be expanded. */
function topLevelConstants(ast: File): Map<string, unknown> {
  const constants = new Map<string, unknown>();
  for (const statement of ast.program.body) {
    const declaration =
      statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const') continue;
    for (const declarator of declaration.declarations) {
      if (declarator.id.type !== 'Identifier' || !declarator.init) continue;
      const value = evaluate(declarator.init, constants);
      if (value !== NOT_STATIC) constants.set(declarator.id.name, value);
    }
  }
  return constants;
}
