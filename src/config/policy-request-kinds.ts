/**
 * The kinds of request a rule's `flow`, `kind` and `namespace` conditions let through: a grant,
 * or a pull secret of either credential kind (`factsOf` in domain/policy.ts). Only pull secrets
 * have a namespace. Conditions that contradict each other (`flow: grant` with a `namespace`,
 * `flow: secret` with `kind: roleAssignment`) let no request through, so the rule never applies
 * and the requests it was written for go on to a later, perhaps looser, rule: a load error here,
 * as a pattern that fits no value is (policy-file.ts, unknownMatchValues).
 */
import { globMatches, MATCH_VALUES } from '../domain/policy';
import { type AddProblem, shortened } from './policy-problems';

/** Every kind of request, in the order the rule-order check indexes them. */
export const REQUEST_KINDS = [
  { flow: 'grant', kind: 'roleAssignment', secret: false },
  { flow: 'secret', kind: 'token', secret: true },
  { flow: 'secret', kind: 'sp', secret: true },
] as const satisfies readonly {
  flow: (typeof MATCH_VALUES.flow)[number];
  kind: (typeof MATCH_VALUES.kind)[number];
  secret: boolean;
}[];

const ALL_KINDS = REQUEST_KINDS.map((_, k) => k);

/** The patterns of a condition when it is one pattern or a list of them, else undefined. */
export function patternsOf(value: unknown): string[] | undefined {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.length > 0 && list.every((p) => typeof p === 'string') ? (list as string[]) : undefined;
}

/** The kinds (indexes of {@link REQUEST_KINDS}) one of `patterns` fits on `field`. */
const fittedBy = (field: 'flow' | 'kind', patterns: string[]) =>
  ALL_KINDS.filter((k) => patterns.some((p) => globMatches(p, REQUEST_KINDS[k][field])));

/**
 * The kinds of request (indexes of {@link REQUEST_KINDS}) a match's `flow`, `kind` and
 * `namespace` conditions let through; undefined when `flow` or `kind` cannot be read (zod says
 * why). Any `namespace` condition leaves pull secrets only: a grant has no namespace.
 */
export function kindsLetThrough(conditions: Record<string, unknown>): number[] | undefined {
  const flow = conditions.flow === undefined ? ['*'] : patternsOf(conditions.flow);
  const kind = conditions.kind === undefined ? ['*'] : patternsOf(conditions.kind);
  if (!flow || !kind) return undefined;
  const secretsOnly = conditions.namespace !== undefined;
  const byKind = fittedBy('kind', kind);
  return fittedBy('flow', flow).filter((k) => byKind.includes(k) && (!secretsOnly || REQUEST_KINDS[k].secret));
}

/** "grants", "pull secrets", "token pull secrets", "grants and sp pull secrets". */
export function kindsText(kinds: readonly number[]): string {
  const secrets = kinds.filter((k) => REQUEST_KINDS[k].secret);
  const allSecrets = secrets.length === REQUEST_KINDS.filter((r) => r.secret).length;
  return [
    ...(kinds.some((k) => !REQUEST_KINDS[k].secret) ? ['grants'] : []),
    ...(allSecrets ? ['pull secrets'] : secrets.map((k) => `${REQUEST_KINDS[k].kind} pull secrets`)),
  ].join(' and ');
}

/** A condition's patterns as written, for a message: `grant`, `[token, sp]`. */
const written = (patterns: string[], list: boolean) =>
  list ? `[${patterns.map(shortened).join(', ')}]` : shortened(patterns[0]);

/**
 * Reports a rule whose `flow`, `kind` and `namespace` conditions together fit no request, at its
 * `match`, naming what each condition leaves. Not when a `flow` or `kind` pattern fits no value:
 * that pattern is refused at itself, and is the first thing to fix (`flow: [grant, secrets]` with
 * a `namespace` was meant as `secret`). `add` is rooted at the rule.
 */
export function conditionsFittingNoRequest(rule: Record<string, unknown>, add: AddProblem): void {
  const match = rule.match;
  if (!match || typeof match !== 'object' || Array.isArray(match)) return;
  const conditions = match as Record<string, unknown>;
  const reasons: string[] = [];
  const narrowed: number[][] = [];
  for (const field of ['flow', 'kind'] as const) {
    if (conditions[field] === undefined) continue;
    const patterns = patternsOf(conditions[field]);
    if (!patterns) return;
    if (patterns.some((p) => fittedBy(field, [p]).length === 0)) return;
    const kinds = fittedBy(field, patterns);
    if (kinds.length === ALL_KINDS.length) continue;
    narrowed.push(kinds);
    reasons.push(`${field} ${written(patterns, Array.isArray(conditions[field]))} fits only ${kindsText(kinds)}`);
  }
  if (conditions.namespace !== undefined) {
    // A value that is no pattern is refused by the schema, which says why.
    if (!patternsOf(conditions.namespace)) return;
    narrowed.push(ALL_KINDS.filter((k) => REQUEST_KINDS[k].secret));
    reasons.push('namespace fits only pull secrets (a grant has no namespace)');
  }
  if (narrowed.length < 2 || ALL_KINDS.some((k) => narrowed.every((kinds) => kinds.includes(k)))) return;
  add(
    ['match'],
    `fits no request: ${reasons.join(', and ')}, so this rule never applies and the requests it was written for ` +
      'go on to a later, perhaps looser, rule; remove the condition that does not belong, or write a rule for each',
  );
}
