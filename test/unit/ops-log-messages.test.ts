/**
 * docs/operations.md tells operators which log lines to alert on, quoting each message. A quoted
 * message that no code logs any more (reworded, removed) sends an operator searching for a line
 * that never comes: every message quoted in the first column of its alert table must be a message
 * src/ logs, word for word, whole (an alert that matches a message exactly never fires on a
 * quote cut short). And a warning or error the table does not name leaves the on-call engineer
 * guessing: every warn, error and fatal message src/ logs must be quoted somewhere in the table.
 */
import { parseSync } from '@swc/core';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Stands for the variable part of a templated message (`${…}`) in the texts below. */
const HOLE = '\u0000';

/**
 * Messages built from a template (`${what} as the run resumed; …`): quoted in the table as the
 * text one of their callers makes, each checked as its parts.
 */
const TEMPLATED: Record<string, string[]> = {
  'the audit log could not be written as the run resumed; it is resumed again later': [
    "'the audit log could not be written'",
    '${what} as the run resumed; it is resumed again later',
  ],
  'the end of the access could not be scheduled as the run resumed; it is resumed again later': [
    "'the end of the access could not be scheduled'",
    '${what} as the run resumed; it is resumed again later',
  ],
  'recording drift noticed by extension failed': ["'extension'", 'recording drift noticed by ${noticedBy} failed'],
  'scheduled job still running after 10 min; the sweep goes on without it': [
    'scheduled job still running after ${limitText(limitMs)}; the sweep goes on without it',
    '10 * 60_000',
  ],
  "a grant made less than 15 minutes ago is not in Azure's listing yet; not marked as removed, a later drift check looks again":
    [
      'a grant made less than ${LISTING_LAG_GRACE_MS / 60_000} minutes ago',
      "is not in Azure's listing yet; not marked as removed, a later drift check looks again",
      'LISTING_LAG_GRACE_MS = 15 * 60_000',
    ],
  // lease-guard.ts names its lease by `what`, 'execution lease' unless its caller says otherwise.
  'execution lease lapsed before it was renewed (the process stalled?); the run stops as for a lost lease': [
    "this.what = options.what ?? 'execution lease'",
    '${this.what} lapsed before it was renewed (the process stalled?); the run stops as for a lost lease',
  ],
  'execution lease expired while the store failed its renewals; the run stops as for a lost lease': [
    "this.what = options.what ?? 'execution lease'",
    '${this.what} expired while the store failed its renewals; the run stops as for a lost lease',
  ],
  'execution lease renewal failed': ["this.what = options.what ?? 'execution lease'", '${this.what} renewal failed'],
};

/** An error's own text, in a line's `err` (the row names the line it comes with, or it fails a job). */
const ERROR_TEXT = "an error's message, in `err`";

/** First-column quotes that are no log line's message: what the row shows to recognise the line by. */
const NOT_A_MESSAGE: Record<string, string> = {
  'acrbot cannot start; fix these settings:': 'plain text on stderr, written before the logger exists',
  CredentialUnavailableError: "an error's name, in `err`",
  BotNotInConversationRoster: "Teams' error code, in `err`",
  'drift check could not list the role assignments of N of M identity and registry pairs (the others were checked): …':
    ERROR_TEXT,
  '… answered 429 … and asked to wait N s before trying again, longer than the 60 s acrbot waits; not retried (request id …)':
    ERROR_TEXT,
  'ARM did not answer GET https://…: no answer within 60 s (sent 2 times; not sent again)': ERROR_TEXT,
  'Microsoft Graph did not answer GET (client request id …): no answer within 60 s (sent 2 times; not sent again)':
    ERROR_TEXT,
  'Azure did not answer in time: acrbot stopped planning after 60 s …': ERROR_TEXT,
  '… token create (scope map create, generateCredentials, token delete, scope map delete) did not finish within 180 s; acrbot stopped waiting, but the operation may still complete in Azure':
    ERROR_TEXT,
};

/**
 * Warn, error and fatal lines the table does not quote, or whose text this test cannot read off
 * the call (keyed by file and message expression): each with the reason.
 */
const UNQUOTED: Record<string, string> = {
  'SANDBOX mode: emulated Azure, Graph and Kubernetes, no authentication on /api/messages; never use it for real access':
    'sandbox mode only (emulated Azure, a laptop): never logged by a deployment, which the table is for',
  'SANDBOX endpoint bound to HOST: anyone who can reach it can post anonymous activities and sign in to the tab as any sandbox user, approvers included (unset HOST to keep it on 127.0.0.1)':
    'sandbox mode only',
  'sandbox sign-in failed': 'sandbox mode only: the sign-in page exists only there',
  'src/flows/scheduler-sweep-log.ts this.messages.failed':
    'SweepFailureLog logs the texts its owner gives it: each SweepFailureMessages constant is read instead (handedMessages)',
  'src/flows/scheduler-sweep-log.ts this.messages.stillFailing': 'as this.messages.failed',
  'src/bot/handlers/revoke-scope.ts failed':
    "notRunYet logs its caller's `waitingFailed` texts: each is read instead (handedMessages)",
};

interface Node {
  type: string;
  [key: string]: unknown;
}

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';

/** Where a node starts in swc's source map: it tells nodes apart. */
const spanOf = (node: Node) => (node.span as { start: number }).start;

/** Every node under `node`, depth first. */
function* nodes(node: unknown): Generator<Node> {
  if (Array.isArray(node)) for (const item of node) yield* nodes(item);
  else if (typeof node === 'object' && node !== null) {
    if (isNode(node)) yield node;
    for (const [key, value] of Object.entries(node)) if (key !== 'span') yield* nodes(value);
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The texts an expression can give, `HOLE` for a template's variable parts; undefined when not read off it. */
function textsOf(expr: unknown, consts: (name: string) => string[] | undefined): string[] | undefined {
  if (!isNode(expr)) return undefined;
  switch (expr.type) {
    case 'StringLiteral':
      return [expr.value as string];
    case 'TemplateLiteral':
      return [(expr.quasis as { cooked: string }[]).map((q) => q.cooked).join(HOLE)];
    case 'ParenthesisExpression':
      return textsOf(expr.expression, consts);
    case 'ConditionalExpression': {
      const [a, b] = [textsOf(expr.consequent, consts), textsOf(expr.alternate, consts)];
      return a && b ? [...a, ...b] : undefined;
    }
    case 'Identifier':
      return consts(expr.value as string);
    default:
      return undefined;
  }
}

/** The dotted name of an expression (`this.messages.failed`), to name a message this test cannot read. */
function nameOf(expr: unknown): string {
  if (!isNode(expr)) return '?';
  if (expr.type === 'Identifier') return expr.value as string;
  if (expr.type === 'ThisExpression') return 'this';
  if (expr.type === 'MemberExpression') return `${nameOf(expr.object)}.${nameOf(expr.property)}`;
  return expr.type;
}

/** An object that names a logger: `log`, `this.log`, `ctx.log`, `deps.log` … (not `console`). */
function isLogger(expr: unknown): boolean {
  if (!isNode(expr)) return false;
  if (expr.type === 'OptionalChainingExpression') return isLogger(expr.base);
  if (expr.type === 'Identifier') return /log/i.test(expr.value as string);
  return expr.type === 'MemberExpression' && isNode(expr.property) && /log/i.test(expr.property.value as string);
}

interface LogCall {
  /** File and message expression, for the ones this test cannot read. */
  at: string;
  level: string;
  texts?: string[];
}

/** The name of a parameter (`message: string`, `what = 'x'`), if it is a plain one. */
function paramName(param: unknown): string | undefined {
  const pat = isNode(param) && isNode(param.pat) ? param.pat : undefined;
  const id = pat?.type === 'AssignmentPattern' ? pat.left : pat;
  return isNode(id) && id.type === 'Identifier' ? (id.value as string) : undefined;
}

/**
 * Every log call in src/ with the texts of its message (its last argument), and every string
 * literal. A message held by a const is read from it; one passed in as a parameter of a function
 * declaration, from what every call of that function passes there.
 */
function readSource(): { calls: LogCall[]; literals: string[] } {
  const parsed = sourceFiles(join(ROOT, 'src')).map((path) => ({
    file: relative(ROOT, path).split('\\').join('/'),
    body: parseSync(readFileSync(path, 'utf8'), { syntax: 'typescript' }).body,
  }));
  const exported = new Map<string, string[]>();
  const argsByCallee = new Map<string, unknown[][]>();
  for (const { body } of parsed)
    for (const node of nodes(body)) {
      if (
        node.type === 'ExportDeclaration' &&
        isNode(node.declaration) &&
        node.declaration.type === 'VariableDeclaration'
      )
        for (const d of node.declaration.declarations as Node[]) {
          const texts = textsOf(d.init, () => undefined);
          if (texts && isNode(d.id)) exported.set(d.id.value as string, texts);
        }
      if (node.type === 'CallExpression' && isNode(node.callee) && node.callee.type === 'Identifier') {
        const name = node.callee.value as string;
        const args = (node.arguments as { expression: unknown }[]).map((a) => a.expression);
        argsByCallee.set(name, [...(argsByCallee.get(name) ?? []), args]);
      }
    }
  const calls: LogCall[] = [];
  const literals: string[] = [];
  for (const { file, body } of parsed) {
    const local = new Map<string, string[]>();
    // The innermost function declaration around each call (by its position): outer ones come first.
    const enclosing = new Map<number, Node>();
    for (const node of nodes(body)) {
      if (node.type === 'StringLiteral') literals.push(node.value as string);
      if (node.type === 'VariableDeclarator' && isNode(node.id)) {
        const texts = textsOf(node.init, () => undefined);
        if (texts) local.set(node.id.value as string, texts);
      }
      if (node.type === 'FunctionDeclaration')
        for (const inner of nodes(node.body)) if (inner.type === 'CallExpression') enclosing.set(spanOf(inner), node);
    }
    // Messages a helper logs for its owner, given as an object: each at the level it is logged at.
    for (const node of nodes(body)) for (const call of handedMessages(node, file)) calls.push(call);
    for (const node of nodes(body)) {
      if (node.type !== 'CallExpression') continue;
      const callee =
        isNode(node.callee) && node.callee.type === 'OptionalChainingExpression' ? node.callee.base : node.callee;
      if (!isNode(callee) || callee.type !== 'MemberExpression' || !isLogger(callee.object)) continue;
      const level = (callee.property as Node).value as string;
      if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(level)) continue;
      const message = (node.arguments as { expression: unknown }[]).at(-1)?.expression;
      const fn = enclosing.get(spanOf(node));
      const passedIn = (name: string): string[] | undefined => {
        const index = ((fn?.params ?? []) as unknown[]).findIndex((param) => paramName(param) === name);
        const passed = index < 0 ? [] : (argsByCallee.get((fn!.identifier as Node).value as string) ?? []);
        const texts = passed.map((args) => textsOf(args[index], () => undefined));
        return passed.length && texts.every(Boolean) ? texts.flatMap((t) => t!) : undefined;
      };
      const texts = textsOf(message, (name) => local.get(name) ?? exported.get(name) ?? passedIn(name));
      calls.push({ at: `${file} ${nameOf(message)}`, level, texts });
    }
  }
  return { calls, literals };
}

/** The level SweepFailureLog logs each of its messages at (scheduler-sweep-log.ts). */
const SWEEP_MESSAGE_LEVELS: Record<string, string> = { failed: 'error', stillFailing: 'error', succeeded: 'info' };

/**
 * The messages `node` hands to a helper that logs them: a `SweepFailureMessages` constant's three,
 * and a `waitingFailed` text (revoke-scope.ts `notRunYet` logs it at warn). Read here, so a set of
 * them without a row fails the table's check as a log call's message would.
 */
function handedMessages(node: Node, file: string): LogCall[] {
  const properties = (object: unknown) =>
    isNode(object) && object.type === 'ObjectExpression'
      ? (object.properties as Node[]).filter((p) => p.type === 'KeyValueProperty' && isNode(p.key))
      : [];
  const keyOf = (p: Node) => (p.key as Node).value as string;
  if (node.type === 'VariableDeclarator' && isNode(node.id)) {
    const annotation = (node.id.typeAnnotation as Node | undefined)?.typeAnnotation as Node | undefined;
    const typeName = isNode(annotation?.typeName) ? (annotation.typeName as Node).value : undefined;
    if (typeName === 'SweepFailureMessages')
      return properties(node.init).map((p) => ({
        at: `${file} ${keyOf(p)}`,
        level: SWEEP_MESSAGE_LEVELS[keyOf(p)] ?? 'error',
        texts: textsOf(p.value, () => undefined),
      }));
  }
  if (node.type === 'KeyValueProperty' && isNode(node.key) && node.key.value === 'waitingFailed')
    return [{ at: `${file} waitingFailed`, level: 'warn', texts: textsOf(node.value, () => undefined) }];
  return [];
}

/** Matches a text whole, its template holes standing for any text (a quote's `…`, a value). */
function matcher(text: string): RegExp {
  const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${text.split(HOLE).map(escape).join('.+')}$`);
}

/** The alert table's rows: from its header to the first line that is not a row. */
function tableRows(doc: string): string[] {
  const lines = doc.split('\n');
  const start = lines.indexOf('| message | means | do |');
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start + 2, end);
}

const backquoted = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** The backquoted messages of the alert table's first column: long enough to be a message. */
function quotedMessages(doc: string): string[] {
  return tableRows(doc).flatMap((row) => backquoted(row.split(' | ')[0]).filter((text) => text.length >= 20));
}

const doc = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
const { calls, literals } = readSource();

test('every message the alert table of docs/operations.md quotes is logged word for word by src/', () => {
  const quoted = quotedMessages(doc);
  // The table is there and read: dozens of messages, among them the rows added for the reviewer.
  expect(quoted.length).toBeGreaterThan(50);
  expect(quoted).toEqual(
    expect.arrayContaining([
      'grant failed in Azure',
      'job of a kind no instance knows; kept, reported once',
      "the credential clean-up job could not be stored; the next start's sweep stores it",
    ]),
  );
  const src = sourceFiles(join(ROOT, 'src'))
    .map((path) => readFileSync(path, 'utf8'))
    .join('\n');
  const logged = calls.flatMap((call) => call.texts ?? []).map(matcher);
  // A message a helper logs for its caller (SweepFailureLog, crash) is a whole string literal.
  const strings = new Set(literals);
  const missing = quoted.filter((text) => {
    if (text in NOT_A_MESSAGE) return !text.includes('…') && !src.includes(text);
    if (TEMPLATED[text]) return !TEMPLATED[text].every((part) => src.includes(part));
    return !logged.some((rx) => rx.test(text)) && !strings.has(text);
  });
  expect(missing).toEqual([]);
});

test('every warn, error and fatal message src/ logs is quoted in the alert table of docs/operations.md', () => {
  const quotes = tableRows(doc).flatMap(backquoted);
  const alerting = calls.filter((call) => ['warn', 'error', 'fatal'].includes(call.level));
  // Read off the calls: about two hundred of them, the fatal ones among them.
  expect(alerting.length).toBeGreaterThan(150);
  expect(alerting.flatMap((call) => call.texts ?? [])).toEqual(
    expect.arrayContaining(['acrbot did not stop cleanly', 'grant failed in Azure']),
  );
  // An exception that no longer is one is taken off the list.
  const read = new Set(alerting.flatMap((call) => call.texts ?? [call.at]));
  expect(Object.keys(UNQUOTED).filter((key) => !read.has(key))).toEqual([]);
  const unquoted = alerting.flatMap((call) => {
    if (!call.texts) return call.at in UNQUOTED ? [] : [call.at];
    return call.texts
      .filter((text) => !(text in UNQUOTED) && !quotes.some((quote) => matcher(text).test(quote)))
      .map((text) => text.split(HOLE).join('${…}'));
  });
  expect([...new Set(unquoted)]).toEqual([]);
});
