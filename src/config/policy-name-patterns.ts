/**
 * Name patterns of a policy rule that no name could fit: a pattern holding a character the
 * name it is compared with never has (`aks-[pP]rod*`, `!aks-prod`, `aks-.*`, a login server
 * where a registry's name is meant, a subscription's name where its id is), or fitting only
 * text longer than that name can be (a 70-character cluster name) or, without `*`, shorter
 * (`registry: acr`, a subscription id cut short), or starting or ending with a character the
 * name holds only inside (`cluster: "-aks*"`, `resourceGroup: "rg-prod."`). Loaded, such a
 * condition never fits, so the requests the rule was written for go on to a later, perhaps
 * looser, rule; the policy file refuses it, as it refuses a misspelt field.
 */
import { NAME_CHARACTER, NAME_LENGTH } from '../domain/names';
import { hasInvisible } from '../domain/text';
import type { AddProblem } from './policy-problems';

/** What a name's first or last character may be, where that is less than all it holds. */
interface EdgeRule {
  chars: RegExp;
  /** As the message says it: "a cluster name ends with …". */
  says: string;
}

/** The first and last character of a name that may hold others only between them. */
const ALPHANUMERIC: EdgeRule = { chars: /^[a-zA-Z0-9]$/, says: 'a letter or digit' };
const ALPHANUMERIC_ENDS = { first: ALPHANUMERIC, last: ALPHANUMERIC };

const RESOURCE_GROUP = {
  name: 'resource group name',
  chars: NAME_CHARACTER.resourceGroup,
  holds: 'letters, digits, _, -, ., ( and )',
  length: NAME_LENGTH.resourceGroup,
  // Holds letters beyond ASCII: one of them may take two of the code units a `?` fits one of.
  ascii: false,
  // domain/names.ts RESOURCE_GROUP (Azure's rule): a `.` anywhere but at the end.
  edge: { last: { chars: /^[^.]$/u, says: 'a character other than "."' } },
};

const SUBSCRIPTION = {
  chars: NAME_CHARACTER.subscriptionId,
  holds: '',
  length: NAME_LENGTH.subscriptionId,
  ascii: true,
};

/** What each name condition is compared with, the characters that name holds, and its length. */
const NAME_FIELDS = {
  cluster: {
    name: 'cluster name',
    chars: NAME_CHARACTER.cluster,
    holds: 'letters, digits, - and _',
    length: NAME_LENGTH.cluster,
    ascii: true,
    // domain/names.ts CLUSTER_NAME (Azure's rule): `-` and `_` only between letters and digits.
    edge: ALPHANUMERIC_ENDS,
  },
  registry: {
    name: 'registry name',
    chars: NAME_CHARACTER.registry,
    holds: 'letters and digits',
    length: NAME_LENGTH.registry,
    ascii: true,
  },
  resourceGroup: RESOURCE_GROUP,
  clusterResourceGroup: RESOURCE_GROUP,
  // Subscriptions are compared by id: their message says so rather than list the characters.
  subscription: { name: "registry's subscription id", ...SUBSCRIPTION },
  clusterSubscription: { name: "cluster's subscription id", ...SUBSCRIPTION },
  namespace: {
    name: 'namespace name',
    chars: NAME_CHARACTER.namespace,
    holds: 'letters, digits and -',
    length: NAME_LENGTH.namespace,
    ascii: true,
    // A DNS label (domain/secret-options.ts DNS_LABEL): `-` only between letters and digits.
    edge: ALPHANUMERIC_ENDS,
  },
} as const;

type NameField = keyof typeof NAME_FIELDS;

/** The name conditions of a rule's `match`, those whose patterns can be refused as fitting no name. */
export const NAME_PATTERN_FIELDS: readonly string[] = Object.keys(NAME_FIELDS);

/**
 * Characters a message escapes: controls, format and other unassigned or private ones, separators
 * other than the plain space (no-break, ideographic, line…), and those that show nothing
 * (domain/text.ts: Hangul fillers, the braille blank…).
 */
const escaped = (ch: string) => ch !== ' ' && (/[\p{C}\p{Z}]/u.test(ch) || hasInvisible(ch));

/**
 * `text` (a character, or a name) quoted as a policy message shows it, with {@link escaped}
 * characters as `\u200B` (`\u{E0001}` beyond U+FFFF): a zero-width space or a Hangul filler
 * printed as is would leave the reader looking at `"ab"` or `" "` for what is not that.
 */
export function shown(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!.toString(16).toUpperCase();
    out += !escaped(ch) ? ch : code.length > 4 ? `\\u{${code}}` : `\\u${code.padStart(4, '0')}`;
  }
  return `"${out}"`;
}

/**
 * `text` cut to 60 characters (code points, so none is cut in half; "…" where cut) and quoted as
 * {@link shown} quotes it: the name patterns and match values policy messages repeat.
 */
export function shownCut(text: string): string {
  const chars = [...text];
  return chars.length > 60 ? `${shown(chars.slice(0, 60).join('')).slice(0, -1)}…"` : shown(text);
}

/** "a", "a and b", "a, b and c". */
const listed = (items: string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : (items[0] ?? '');

/** The characters of `pattern` the name never holds (`*` and `?` are the pattern's own), each once. */
function foreignCharacters(pattern: string, chars: RegExp): string[] {
  const out = new Set<string>();
  for (const ch of pattern) if (ch !== '*' && ch !== '?' && !chars.test(ch)) out.add(ch);
  return [...out];
}

/** What the writer of a pattern with such characters most likely meant, as advice. */
function hint(pattern: string, field: NameField): string {
  if (pattern.startsWith('!'))
    return '; a pattern cannot be negated: rules are tried in order, so put a rule for the exceptions before this one';
  if (/[[\]]/.test(pattern))
    return '; patterns have no [...] classes: case does not matter, and ? fits any one character';
  if (/[.\\^$+|]/.test(pattern) && !NAME_FIELDS[field].chars.test('.')) {
    const glob = pattern
      .replace(/^\^|\$$/g, '')
      .replace(/\.\*/g, '*')
      .replace(/\.\+/g, '?*')
      .replace(/\./g, '?');
    const instead =
      foreignCharacters(glob, NAME_FIELDS[field].chars).length === 0 ? ` (write ${glob.slice(0, 60)})` : '';
    return `; patterns are not regular expressions: * alone is any run of characters${instead}`;
  }
  return '';
}

/** Why `pattern` can fit no value of `field`, or undefined when it can. */
function unfittable(pattern: string, field: NameField): string | undefined {
  const quoted = shownCut(pattern);
  const { name, chars, holds } = NAME_FIELDS[field];
  const foreign = foreignCharacters(pattern, chars);
  if (foreign.length === 0) return undefined;
  if (field === 'subscription' || field === 'clusterSubscription')
    return (
      `${quoted} is not a subscription id: ${field} holds ids, compared with the ${name} (a GUID such as ` +
      `1f0c2d3e-…), never a subscription's name, so it never fits; write the id, or a pattern on it such as 1f0c2d3e-*`
    );
  const loginServer = /\.azurecr\./i.exec(pattern);
  if (field === 'registry' && loginServer)
    return (
      `${quoted} is a login server, which no registry name is, so it never fits; ` +
      `write the registry's name, not its login server: ${pattern.slice(0, loginServer.index) || '*'}`
    );
  if (/[\s,]/.test(pattern)) {
    const list = pattern.split(/[\s,]+/).filter(Boolean);
    const what = /,/.test(pattern) ? 'a comma' : list.length > 1 ? 'a space' : 'a space at its start or end';
    const fix =
      list.length > 1
        ? `list the patterns instead: ${field}: [${list.slice(0, 5).join(', ')}]`
        : `write ${list[0] ?? 'a name'}`;
    return `${quoted} has ${what}, which no ${name} has, so it never fits; ${fix}`;
  }
  return (
    `${quoted} has ${listed(foreign.map(shown))}, which no ${name} has, so it never fits: a ${name} holds only ` +
    `${holds}, and a pattern adds * (any run of characters) and ? (one character)${hint(pattern, field)}`
  );
}

/** "exactly 36 characters", "at most 63 characters", "5 to 50 characters". */
function span({ min, max }: { min: number; max: number }): string {
  if (min === max) return `exactly ${max} characters`;
  return min <= 1 ? `at most ${max} characters` : `${min} to ${max} characters`;
}

/**
 * Why `pattern`, of characters its name holds, can fit no value of `field` by its length, or
 * undefined when it can. The fewest characters a fitting name has: one per character of the
 * pattern other than `*`, counting each `?` as half a character where a name may hold letters
 * beyond ASCII (a `?` fits one UTF-16 code unit; Azure may count a letter of two as one), so a
 * pattern is refused only when no name could fit it however its length is counted.
 */
function unfittableLength(pattern: string, field: NameField): string | undefined {
  const { name, length, ascii } = NAME_FIELDS[field];
  if (pattern === '') return undefined; // the schema says it must not be empty
  const quoted = shownCut(pattern);
  const chars = [...pattern];
  const anyOne = chars.filter((ch) => ch === '?').length;
  const literal = chars.filter((ch) => ch !== '*' && ch !== '?').length;
  const fewest = literal + (ascii ? anyOne : Math.ceil(anyOne / 2));
  if (fewest > length.max)
    return `${quoted} fits only text of at least ${fewest} characters, and a ${name} has ${span(length)}, so it never fits`;
  // Names of a field with a minimum above 1 are ASCII: without `*`, a pattern fits text of its own length only.
  if (chars.includes('*') || literal + anyOne >= length.min) return undefined;
  const what = field === 'subscription' || field === 'clusterSubscription' ? 'id' : 'name';
  return (
    `${quoted} has no * and fits only text of ${literal + anyOne} characters, and a ${name} has ${span(length)}, ` +
    `so it never fits; write the whole ${what}, or ${pattern}* for the ${what}s that start with it`
  );
}

/**
 * Why `pattern`, of characters its name holds, can fit no value of `field` by its first or last
 * character, or undefined when it can. Only a literal end counts: a `*` or `?` there can still
 * be a letter or digit (`*-aks` fits `x-aks`), so only a pattern no name could fit is refused.
 */
function unfittableEdge(pattern: string, field: NameField): string | undefined {
  const spec = NAME_FIELDS[field];
  const edges: { first?: EdgeRule; last?: EdgeRule } | undefined = 'edge' in spec ? spec.edge : undefined;
  if (!edges || pattern === '') return undefined;
  const fits = (rule: EdgeRule | undefined, ch: string) => !rule || ch === '*' || ch === '?' || rule.chars.test(ch);
  const chars = [...pattern];
  const ends = [
    ['starts', chars[0], edges.first],
    ['ends', chars[chars.length - 1], edges.last],
  ] as const;
  const bad = ends.find(([, ch, rule]) => !fits(rule, ch));
  if (!bad?.[2]) return undefined;
  const [where, ch, edge] = bad;
  // The pattern without the characters its ends may not be, at either end.
  let first = 0;
  let last = chars.length;
  while (first < last && !fits(edges.first, chars[first])) first++;
  while (last > first && !fits(edges.last, chars[last - 1])) last--;
  const trimmed = chars.slice(first, last).join('');
  const fix = where === 'starts' ? `*${trimmed}` : `${trimmed}*`;
  // No wider pattern to offer when the trimmed one has a `*` at that end already (`*.` → `*`).
  const wider = trimmed && !(where === 'starts' ? trimmed.startsWith('*') : trimmed.endsWith('*'));
  return (
    `${shownCut(pattern)} ${where} with ${shown(ch)}, and a ${spec.name} ${where} with ${edge.says}, ` +
    `so it never fits; write ${trimmed || 'a name'}${wider ? `, or ${fix} if any characters may come ${where === 'starts' ? 'before' : 'after'} it` : ''}`
  );
}

/** Why `pattern` can fit no value of the name condition `field`, or undefined when it can. */
function whyUnfittable(pattern: string, field: NameField): string | undefined {
  return unfittable(pattern, field) ?? unfittableLength(pattern, field) ?? unfittableEdge(pattern, field);
}

/**
 * Whether `pattern` is one the policy file refuses on the name condition `field` (see
 * {@link unfittableNames}): it fits no name, so any other check reading it as fitting something
 * (policy-rule-order.ts) must leave it out. False for a field that is no name condition.
 */
export function fitsNoName(field: string, pattern: string): boolean {
  return field in NAME_FIELDS && whyUnfittable(pattern, field as NameField) !== undefined;
}

/**
 * Refuses name patterns holding a character their name never has, fitting only text of a
 * length their name never has, or starting or ending with a character their name has only
 * inside (see the file's comment); `*` and `?` are the only characters a pattern adds.
 */
export function unfittableNames(rule: Record<string, unknown>, add: AddProblem): void {
  const match = rule.match;
  if (!match || typeof match !== 'object') return;
  for (const field of Object.keys(NAME_FIELDS) as NameField[]) {
    const value = (match as Record<string, unknown>)[field];
    const patterns: unknown[] = Array.isArray(value) ? value : [value];
    patterns.forEach((pattern, j) => {
      if (typeof pattern !== 'string') return;
      const why = whyUnfittable(pattern, field);
      if (why) add(['match', field, ...(Array.isArray(value) ? [j] : [])], why);
    });
  }
}
