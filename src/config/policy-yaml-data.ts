/**
 * Turning a parsed policy document into data, which is where yaml expands aliases and YAML 1.1
 * merges (`<<`) and throws: on too many alias uses, on a merge of something other than a map.
 * What it throws is said as a problem of the file (with the merge's place), for the loader to
 * list as it lists the others (exit code 2 at start and in the policy check), never as a stack
 * trace.
 */
import type * as Yaml from 'yaml';
import type { Document, LineCounter } from 'yaml';

/**
 * How many times the file's anchors may be used through aliases, aliases inside an anchored value
 * multiplying the count (yaml's `maxAliasCount`, 100 by default). A policy of a few hundred rules
 * sharing one `&approvers` anchor is a real file; a "billion laughs" file, whose aliases of
 * aliases would grow without bound, still runs over it at once.
 */
export const MAX_ALIAS_USES = 10_000;

/**
 * How many values the data may hold once every alias is counted as the copy it stands for. Alias
 * uses alone do not bound the work: ten thousand uses of an anchored list of three thousand users
 * load as thirty million values, which every later check walks (minutes of a blocked event loop
 * and gigabytes at a reload). A real policy of hundreds of rules holds tens of thousands.
 */
export const MAX_EXPANDED_VALUES = 500_000;

/**
 * The number of values in `data` with each shared object (an alias's target) counted once per
 * place it appears, computed once per object, so the count costs the size of the file, not of
 * what it stands for.
 */
function expandedSize(data: unknown, seen = new Map<object, number>()): number {
  if (data === null || typeof data !== 'object') return 1;
  const known = seen.get(data);
  if (known !== undefined) return known;
  let size = 1;
  for (const value of Array.isArray(data) ? data : Object.values(data)) size += expandedSize(value, seen);
  seen.set(data, size);
  return size;
}

/** A problem of the file as a whole (line 0) or at a place in it, with no path. */
export interface YamlDataProblem {
  line: number;
  col: number;
  path: '';
  message: string;
}

/** The first line of what was thrown, cut short: yaml's messages may quote the file after it. */
const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);

/** What the parser threw, said as a problem of the whole file. */
export function yamlThrew(err: unknown): YamlDataProblem {
  return { line: 0, col: 0, path: '', message: `YAML could not read the file (${firstLine(err)})` };
}

/** The data of `doc`, or the problem yaml threw on while making it and what it threw. */
export function yamlData(
  yaml: typeof Yaml,
  doc: Document,
  lines: LineCounter,
): { data: unknown } | { problem: YamlDataProblem; cause: unknown } {
  try {
    const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_USES });
    if (expandedSize(data) > MAX_EXPANDED_VALUES)
      return {
        problem: {
          line: 0,
          col: 0,
          path: '',
          message: `the file's aliases (*name) stand for more than ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values once expanded, as a file built to exhaust memory does; share smaller anchored values, or write fewer rules`,
        },
        cause: undefined,
      };
    return { data };
  } catch (err) {
    const message = firstLine(err);
    if (/excessive alias count/i.test(message))
      return {
        problem: {
          line: 0,
          col: 0,
          path: '',
          message:
            `the file uses its anchors (&name) through aliases (*name) more than ${MAX_ALIAS_USES} times, counting the ` +
            'aliases inside an anchored value once for each use of it, as a file built to exhaust memory does; ' +
            'write the repeated values out, or share fewer of them',
        },
        cause: err,
      };
    if (/merge sources must be maps/i.test(message))
      return {
        problem: {
          ...(badMerge(yaml, doc, lines) ?? { line: 0, col: 0 }),
          path: '',
          message: 'a YAML merge (<<) may only merge maps (<<: *anchor of a map, or a list of them)',
        },
        cause: err,
      };
    return { problem: yamlThrew(err), cause: err };
  }
}

/** Where the first `<<` merging something other than a map (or a list of maps) is, if it can be found. */
function badMerge(yaml: typeof Yaml, doc: Document, lines: LineCounter): { line: number; col: number } | undefined {
  const resolved = (node: unknown) => (yaml.isAlias(node) ? node.resolve(doc) : node);
  const mapsOnly = (node: unknown): boolean => {
    const value = resolved(node);
    return yaml.isMap(value) || (yaml.isSeq(value) && value.items.every((item) => yaml.isMap(resolved(item))));
  };
  let at: number | undefined;
  yaml.visit(doc, {
    Pair(_key, pair) {
      if (!yaml.isScalar(pair.key) || pair.key.source !== '<<' || mapsOnly(pair.value)) return undefined;
      at = pair.key.range?.[0];
      return yaml.visit.BREAK;
    },
  });
  return at === undefined ? undefined : lines.linePos(at);
}
