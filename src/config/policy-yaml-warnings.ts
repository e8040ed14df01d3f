/**
 * What the `yaml` parser warns about in a policy file (`doc.warnings`; it stops only at
 * `doc.errors`), each at its line and column: a tag it does not know is a problem that refuses
 * the file, every other warning a policy warning beside the file that loads (policy-warnings.ts).
 *
 * Why a tag acrbot does not know refuses the file rather than warn: the parser drops it and
 * reads the value as if it were not there, so `cluster: !env PROD_CLUSTER` or
 * `cluster: !regex "aks-.*"` is compared as the literal text, and the requests the rule was
 * written for go on to a later, perhaps looser, rule. That is what the loader refuses elsewhere
 * for text that reads differently from what was meant (a number where text is meant, a duration
 * without its unit, a misspelt field). A warning is for what some organisations mean (an
 * auto-approving rule on cluster facts alone); nobody means a tag that is ignored. The same for
 * a standard tag on the wrong kind of node (`!!set` on a list), which is dropped too.
 *
 * The other warnings (a `%` directive the parser does not know, an unsupported `%YAML` version
 * read as 1.2, an anchor or alias ending in `:`, a flow collection's closing bracket not indented
 * past its parent) leave the values as written; and a code a later `yaml` adds should not start
 * refusing files that load today. They are warnings, with the parser's own words.
 */
import type * as Yaml from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import type { PolicyWarning } from './policy-warnings';

/** The warnings whose value is read without the tag its writer gave it. */
const DROPPED_TAG = new Set(['TAG_RESOLVE_FAILED', 'BAD_COLLECTION_TYPE']);

/** One problem or warning at `line:col`, `path` in the document ('' when no node is found). */
export interface YamlFinding {
  line: number;
  col: number;
  path: string;
  message: string;
}

/** The parser's message without the position prettyErrors appends (the finding carries it). */
const ownWords = (message: string) => message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');

const KINDS: Record<string, string> = { map: 'map', seq: 'list', scalar: 'single value' };

/** "the YAML tag !!set is for a map, not a list" for a standard tag on the wrong kind of node. */
function misfit(tag: string, message: string): string | undefined {
  const kinds = /used for (\w+) collection, but expects (\w+)/.exec(message);
  if (!kinds) return undefined;
  const [, got, wanted] = kinds;
  return `the YAML tag ${tag} is for a ${KINDS[wanted] ?? wanted}, not a ${KINDS[got] ?? got}`;
}

/**
 * Where each tagged node of `doc` starts, with its path (`rules[0].match.cluster`), by start.
 * Made once per file, so a file of many tags is located in time proportional to its size, not
 * squared.
 */
function taggedStarts(yaml: typeof Yaml, doc: Document): { start: number; path: string }[] {
  const out: { start: number; path: string }[] = [];
  const add = (node: unknown, path: string) => {
    const start = (node as YamlNode | null)?.range?.[0];
    if (start !== undefined && (node as YamlNode).tag) out.push({ start, path });
  };
  const walk = (node: unknown, path: string): void => {
    add(node, path);
    if (yaml.isMap(node))
      for (const pair of node.items) {
        const key = yaml.isScalar(pair.key) ? String(pair.key.value) : '?';
        const inner = path ? `${path}.${key}` : key;
        add(pair.key, inner);
        walk(pair.value, inner);
      }
    else if (yaml.isSeq(node)) node.items.forEach((item, j) => walk(item, `${path}[${j}]`));
  };
  walk(doc.contents, '');
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The path of the node the tag at `offset` is on: the first tagged node starting at or after it
 * (a node's range starts after its tag, or at it for a map whose first key has the tag);
 * '' when there is none.
 */
function pathAfter(tagged: readonly { start: number; path: string }[], offset: number): string {
  let lo = 0;
  let hi = tagged.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tagged[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return tagged[lo]?.path ?? '';
}

/**
 * The parser's warnings about `doc` (parsed from `text` with `lines`): tags it dropped as
 * problems, the others as warnings of the whole file (no rule), each in file order.
 */
export function yamlFindings(
  yaml: typeof Yaml,
  doc: Document,
  text: string,
  lines: LineCounter,
): { problems: YamlFinding[]; warnings: PolicyWarning[] } {
  const problems: YamlFinding[] = [];
  const warnings: PolicyWarning[] = [];
  let tagged: { start: number; path: string }[] | undefined;
  for (const w of doc.warnings) {
    const [start, end] = w.pos;
    const { line, col } = lines.linePos(start);
    if (!DROPPED_TAG.has(w.code)) {
      // Not located at a node: a directive comes before the document, a misplaced bracket after one.
      warnings.push({ line, col, path: '', message: `YAML: ${ownWords(w.message)}` });
      continue;
    }
    const tag = text.slice(start, end).trim().slice(0, 40) || 'a tag';
    problems.push({
      line,
      col,
      path: pathAfter((tagged ??= taggedStarts(yaml, doc)), start),
      message:
        `${misfit(tag, w.message) ?? `unknown YAML tag ${tag}`}: acrbot would read the value as if it had no tag, ` +
        'which is not what the tag was written for; remove the tag (and write the value itself, quoted if it is text)',
    });
  }
  return { problems, warnings };
}
