/**
 * Rules that are never reached: rules are tried in order and the first that fits applies, so a
 * rule after one that fits every request it could fit never applies. Loaded quietly, a catch-all
 * `default` written first and a two-approver `prod` after it reads as two-person approval for
 * production while every production request needs one approval, so the policy file refuses it.
 */
import { globMatches, MATCH_VALUES } from '../domain/policy';
import { type AddProblem, ruleName } from './policy-problems';

/**
 * The kinds of request a rule can be asked about: a grant, or a pull secret of either kind
 * (`factsOf` in domain/policy.ts). Only pull secrets have a namespace.
 */
const REQUEST_KINDS = [
  { flow: 'grant', kind: 'roleAssignment', secret: false },
  { flow: 'secret', kind: 'token', secret: true },
  { flow: 'secret', kind: 'sp', secret: true },
] as const satisfies readonly {
  flow: (typeof MATCH_VALUES.flow)[number];
  kind: (typeof MATCH_VALUES.kind)[number];
  secret: boolean;
}[];

const TAG_FIELDS = new Set(['clusterTags', 'registryTags']);

/** The patterns of a condition when it is one pattern or a list of them, else undefined. */
function patternsOf(value: unknown): string[] | undefined {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.length > 0 && list.every((p) => typeof p === 'string') ? (list as string[]) : undefined;
}

/** A pattern that fits every name: nothing but `*`. */
const fitsAnything = (patterns: string[] | undefined) => !!patterns?.some((p) => /^\*+$/.test(p));

/**
 * Which kinds of request ({@link REQUEST_KINDS}, by index) a rule's `match` can fit, and whether
 * it fits every request of those kinds (no other condition, or only ones of all-`*` patterns and
 * empty tag maps). Undefined when the match cannot be read (zod says why).
 */
function reach(match: unknown): { kinds: number[]; everything: boolean } | undefined {
  if (match === undefined) return { kinds: REQUEST_KINDS.map((_, k) => k), everything: true };
  if (!match || typeof match !== 'object' || Array.isArray(match)) return undefined;
  const conditions = match as Record<string, unknown>;
  const flow = conditions.flow === undefined ? ['*'] : patternsOf(conditions.flow);
  const kind = conditions.kind === undefined ? ['*'] : patternsOf(conditions.kind);
  if (!flow || !kind) return undefined;
  // A grant has no namespace, so any namespace condition leaves pull secrets only.
  const secretsOnly = conditions.namespace !== undefined;
  const kinds = REQUEST_KINDS.flatMap((r, k) =>
    (!secretsOnly || r.secret) && flow.some((p) => globMatches(p, r.flow)) && kind.some((p) => globMatches(p, r.kind))
      ? [k]
      : [],
  );
  const everything = Object.entries(conditions).every(([field, value]) => {
    if (field === 'flow' || field === 'kind') return true;
    if (TAG_FIELDS.has(field)) return !!value && typeof value === 'object' && Object.keys(value as object).length === 0;
    // An all-`*` namespace fits every pull secret: it only left grants out above.
    return fitsAnything(patternsOf(value));
  });
  return { kinds, everything };
}

/** "every request", "every grant", "every pull secret", "every grant and token pull secret". */
function scope(kinds: number[]): string {
  if (kinds.length === REQUEST_KINDS.length) return 'every request';
  const secrets = kinds.filter((k) => REQUEST_KINDS[k].secret);
  const parts = [
    ...(kinds.some((k) => !REQUEST_KINDS[k].secret) ? ['grant'] : []),
    ...(secrets.length === REQUEST_KINDS.filter((r) => r.secret).length
      ? ['pull secret']
      : secrets.map((k) => `${REQUEST_KINDS[k].kind} pull secret`)),
  ];
  return `every ${parts.join(' and ')}`;
}

/** How a rule is named in these messages: its place, and its id when it has one. */
const named = (rule: unknown, i: number) => {
  const id = (rule as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? `rules[${i}] ${id}` : `rules[${i}]`;
};

/**
 * Reports every rule after one that fits every request it could fit: a rule without `match`,
 * with `match: {}` or with only all-`*` patterns fits every request, one narrowed only by
 * `flow`, `kind` or an all-`*` `namespace` every request of those kinds. `add` is rooted at the
 * document. Each rule is reported once, naming the first rule that hides it.
 */
export function unreachableRules(raw: unknown, add: AddProblem): void {
  const rules = (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return;
  const reaches = rules.map((rule: unknown) =>
    rule && typeof rule === 'object' ? reach((rule as { match?: unknown }).match) : undefined,
  );
  reaches.forEach((mine, i) => {
    if (!mine || mine.kinds.length === 0) return;
    const j = reaches.findIndex(
      (earlier, e) => e < i && earlier?.everything && mine.kinds.every((k) => earlier.kinds.includes(k)),
    );
    if (j < 0) return;
    const hider = rules[j] as Record<string, unknown>;
    const hiderId = typeof hider.id === 'string' ? hider.id : `rules[${j}]`;
    add(
      ['rules', i],
      `${ruleName(rules[i] as Record<string, unknown>, i)} is never reached: ${named(hider, j)}, before it, fits ` +
        `${scope(reaches[j]?.kinds ?? [])} (rules are tried in order, the first that fits applies); move ${hiderId} last`,
    );
  });
}
