/**
 * Compiles an Adaptive Card template (the `cards/*.json` files) once into a plain render
 * function, so a turn expands a card without the templating engine.
 *
 * Why: adaptivecards-templating parses every `${…}` with the full Adaptive Expressions
 * language (ANTLR) and walks the template per call; loading it cost ~15 % of the cold start and
 * expanding cards a visible share of a turn's CPU (docs/performance.md, P1/P2/P5). acrbot's
 * templates use a small subset, which this file implements with the engine's semantics
 * (adaptivecards-templating 2.3.1 `Template.expand`, read from its source):
 *
 * - a string holding `${path}` only keeps the value's type; a string mixing text and `${…}`
 *   becomes text (`String(value)`); a missing property stays as the literal `${path}`;
 * - `path` is `name`, `a.b.c`, `$data`, `$root…` or `$index`; bare names are read from the
 *   current `$data` (the root at top level, the item inside a `$data` array);
 * - `$when` keeps an object only when it evaluates to the boolean `true`; besides a path it may be
 *   `!path`, `path != 'text'` or `path == 'text'`;
 * - `$data` bound to an array repeats the object per item (inside an array the copies are
 *   spliced in; none → dropped; one → the object itself), bound to anything else rebinds `$data`.
 *
 * Anything else inside `${…}` is refused when the template is compiled (so a template change
 * that needs more fails in the card tests, not in a conversation). test/unit/card-compiler.test.ts
 * renders every card through both this compiler and adaptivecards-templating and compares.
 */

/** Adaptive Card JSON. */
export type CardJson = Record<string, unknown>;

interface Scope {
  root: unknown;
  data: unknown;
  index?: number;
}

type Render = (scope: Scope) => unknown;
type Eval = (scope: Scope) => unknown;

/** Fields of a template object that steer expansion and never appear in the output. */
const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

/** Marks "this node expands to nothing" (the engine's `null` result inside arrays). */
const NOTHING = null;

/** Compiles a template; the returned function expands it for one data object (`$root`). */
export function compileCard(template: unknown): (data: object) => CardJson {
  const render = compileNode(template);
  return (data) => render({ root: data, data }) as CardJson;
}

function compileNode(node: unknown): Render {
  if (Array.isArray(node)) return compileArray(node);
  if (typeof node === 'string') return compileString(node);
  if (typeof node === 'object' && node !== null) return compileObject(node as Record<string, unknown>);
  return () => node;
}

function compileArray(items: unknown[]): Render {
  const renders = items.map(compileNode);
  return (scope) => {
    const out: unknown[] = [];
    for (const render of renders) {
      const value = render(scope);
      if (value === NOTHING) continue;
      if (Array.isArray(value)) out.push(...value);
      else out.push(value);
    }
    return out;
  };
}

function compileObject(node: Record<string, unknown>): Render {
  const fields = Object.keys(node)
    .filter((k) => !RESERVED.has(k))
    .map((k) => [k, compileNode(node[k])] as const);
  const when = node.$when === undefined ? undefined : compileCondition(node.$when);
  const data = node.$data === undefined ? undefined : compileNode(node.$data);

  const expandOne = (scope: Scope): CardJson | undefined => {
    if (when && when(scope) !== true) return undefined;
    const out: CardJson = {};
    for (const [key, render] of fields) {
      const value = render(scope);
      if (value !== undefined) out[key] = value;
    }
    return out;
  };

  return (scope) => {
    if (!data) return expandOne(scope) ?? NOTHING;
    const bound = data(scope);
    if (!Array.isArray(bound)) {
      return expandOne(bound === undefined ? scope : { ...scope, data: bound }) ?? NOTHING;
    }
    const out: CardJson[] = [];
    bound.forEach((item, index) => {
      const expanded = expandOne(item === undefined ? { ...scope, index } : { root: scope.root, data: item, index });
      if (expanded) out.push(expanded);
    });
    return out.length === 0 ? NOTHING : out.length === 1 ? out[0] : out;
  };
}

/** `$when`: a `${…}` string; as in the engine, any other truthy value drops the object and a falsy one keeps it. */
function compileCondition(value: unknown): Eval {
  if (typeof value !== 'string' || !value.includes('${')) {
    const keep = !value;
    return () => keep;
  }
  const parts = splitInterpolation(value);
  if (parts.length !== 1 || typeof parts[0] === 'string') throw new Error(`$when must be one \${…}: ${value}`);
  return compileExpression(parts[0].expression, false);
}

function compileString(text: string): Render {
  if (!text.includes('${')) return () => text;
  const parts = splitInterpolation(text);
  if (parts.length === 1 && typeof parts[0] !== 'string') return compileExpression(parts[0].expression, true);
  const pieces = parts.map((p) => (typeof p === 'string' ? () => p : compileExpression(p.expression, true)));
  return (scope) => {
    let out = '';
    for (const piece of pieces) {
      const value = piece(scope);
      // The engine calls value.toString() here and throws on null; so do we, with a clearer message.
      if (value === null || value === undefined) throw new Error(`card text "${text}": a value is ${value}`);
      out += String(value);
    }
    return out;
  };
}

/** Text and `${…}` expressions of an interpolated string (no nesting: `}` ends an expression). */
function splitInterpolation(text: string): Array<string | { expression: string }> {
  const parts: Array<string | { expression: string }> = [];
  let rest = text;
  for (;;) {
    const start = rest.indexOf('${');
    if (start < 0) break;
    const end = rest.indexOf('}', start);
    if (end < 0) throw new Error(`unterminated \${ in card template: ${text}`);
    if (start > 0) parts.push(rest.slice(0, start));
    parts.push({ expression: rest.slice(start + 2, end).trim() });
    rest = rest.slice(end + 1);
  }
  if (rest) parts.push(rest);
  return parts;
}

const PATH = /^\$?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const COMPARISON = /^(\S+)\s*(!=|==)\s*'([^'\\]*)'$/;

/**
 * A path or a comparison with a string constant. `substitute`: a missing property yields the
 * literal `${path}` (the engine's default substitution for values it shows); in `$when` it
 * yields undefined.
 */
function compileExpression(expression: string, substitute: boolean): Eval {
  if (expression.startsWith('!')) {
    // The engine's not(): booleans are negated; any other value counts as true unless null/undefined.
    const read = compilePath(expression.slice(1).trim(), expression, false);
    return (scope) => {
      const value = read(scope);
      return typeof value === 'boolean' ? !value : value === undefined || value === null;
    };
  }
  const comparison = COMPARISON.exec(expression);
  if (comparison) {
    const [, path, op, constant] = comparison;
    const read = compilePath(path, expression, false);
    return op === '==' ? (scope) => read(scope) === constant : (scope) => read(scope) !== constant;
  }
  return compilePath(expression, expression, substitute);
}

function compilePath(path: string, expression: string, substitute: boolean): Eval {
  if (!PATH.test(path))
    throw new Error(`card template expression not supported by card-compiler.ts: \${${expression}}`);
  const [head, ...tail] = path.split('.');
  const start: Eval =
    head === '$root'
      ? (s) => s.root
      : head === '$data'
        ? (s) => s.data
        : head === '$index'
          ? (s) => s.index
          : head.startsWith('$')
            ? unsupported(expression)
            : (s) => property(s.data, head);
  const missing = substitute ? `\${${expression}}` : undefined;
  return (scope) => {
    let value = start(scope);
    for (const key of tail) value = property(value, key);
    return value === undefined ? missing : value;
  };
}

function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function unsupported(expression: string): never {
  throw new Error(`card template expression not supported by card-compiler.ts: \${${expression}}`);
}
