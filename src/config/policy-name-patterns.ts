/**
 * Name patterns of a policy rule that no name could fit: a pattern holding a character the
 * name it is compared with never has (`aks-[pP]rod*`, `!aks-prod`, `aks-.*`, a login server
 * where a registry's name is meant, a subscription's name where its id is). Loaded, such a
 * condition never fits, so the requests the rule was written for go on to a later, perhaps
 * looser, rule; the policy file refuses it, as it refuses a misspelt field.
 */
import { NAME_CHARACTER } from '../domain/names';
import type { AddProblem } from './policy-problems';

const RESOURCE_GROUP = {
  name: 'resource group name',
  chars: NAME_CHARACTER.resourceGroup,
  holds: 'letters, digits, _, -, ., ( and )',
};

/** What each name condition is compared with, and the characters that name holds. */
const NAME_FIELDS = {
  cluster: { name: 'cluster name', chars: NAME_CHARACTER.cluster, holds: 'letters, digits, - and _' },
  registry: { name: 'registry name', chars: NAME_CHARACTER.registry, holds: 'letters and digits' },
  resourceGroup: RESOURCE_GROUP,
  clusterResourceGroup: RESOURCE_GROUP,
  // Subscriptions are compared by id: their message says so rather than list the characters.
  subscription: { name: "registry's subscription id", chars: NAME_CHARACTER.subscriptionId, holds: '' },
  clusterSubscription: { name: "cluster's subscription id", chars: NAME_CHARACTER.subscriptionId, holds: '' },
  namespace: { name: 'namespace name', chars: NAME_CHARACTER.namespace, holds: 'letters, digits and -' },
} as const;

type NameField = keyof typeof NAME_FIELDS;

/** A character as a message shows it: control and invisible ones escaped. */
const shown = (ch: string) => `"${/[\p{C}\p{Z}]/u.test(ch) && ch !== ' ' ? JSON.stringify(ch).slice(1, -1) : ch}"`;

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
  const quoted = `"${pattern.slice(0, 60)}"`;
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

/**
 * Refuses name patterns holding a character their name never has (see the file's comment);
 * `*` and `?` are the only characters a pattern adds.
 */
export function unfittableNames(rule: Record<string, unknown>, add: AddProblem): void {
  const match = rule.match;
  if (!match || typeof match !== 'object') return;
  for (const field of Object.keys(NAME_FIELDS) as NameField[]) {
    const value = (match as Record<string, unknown>)[field];
    const patterns: unknown[] = Array.isArray(value) ? value : [value];
    patterns.forEach((pattern, j) => {
      if (typeof pattern !== 'string') return;
      const why = unfittable(pattern, field);
      if (why) add(['match', field, ...(Array.isArray(value) ? [j] : [])], why);
    });
  }
}
