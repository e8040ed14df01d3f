/**
 * Rules that are never reached: rules are tried in order and the first that fits applies, so a
 * rule after one that fits every request it could fit never applies. Loaded quietly, a catch-all
 * `default` written first and a two-approver `prod` after it reads as two-person approval for
 * production while every production request needs one approval, so the policy file refuses it;
 * and the same for a broader rule before a narrower one (`cluster: aks-*` before
 * `cluster: aks-prod*`): the narrower rule's approvers never see a request.
 */
import { DEFAULT_INCLUSION_STEPS } from '../domain/glob-inclusion';
import { type AddProblem, ruleName } from './policy-problems';
import { fitsNoName, NAME_PATTERN_FIELDS } from './policy-name-patterns';
import { coversMatch, matchCoverage } from './policy-rule-cover';
import { kindsLetThrough, patternsOf, REQUEST_KINDS } from './policy-request-kinds';

const TAG_FIELDS = new Set(['clusterTags', 'registryTags']);

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
  // None when they contradict each other: refused at the rule's match (policy-request-kinds.ts).
  const kinds = kindsLetThrough(conditions);
  if (!kinds) return undefined;
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

/** A rule's `match` as this check reads it (see {@link possibleMatch}). */
interface ReadMatch {
  /** The raw `match` without the patterns that fit no name (undefined: none, it fits every request). */
  match: unknown;
  /** A name pattern of it fits no name: the file is refused at that pattern (policy-name-patterns.ts). */
  refused: boolean;
  /** Every pattern of one of its name conditions fits no name, so the rule fits no request. */
  fitsNothing: boolean;
}

/**
 * The raw `match` of a rule without the name patterns that fit no name: such a pattern is
 * refused at itself (policy-name-patterns.ts), and read as glob text it would fit names no
 * cluster or namespace has (`-aks*` within `*`, `aks-[pP]rod*` within `aks-*`), hiding later
 * rules or hidden by earlier ones for requests that cannot exist.
 */
function possibleMatch(rule: unknown): ReadMatch {
  const match = (rule as { match?: unknown }).match;
  if (!match || typeof match !== 'object' || Array.isArray(match)) return { match, refused: false, fitsNothing: false };
  const out: Record<string, unknown> = { ...(match as Record<string, unknown>) };
  let refused = false;
  let fitsNothing = false;
  for (const field of NAME_PATTERN_FIELDS) {
    const patterns = patternsOf(out[field]);
    if (out[field] === undefined || !patterns) continue;
    const possible = patterns.filter((p) => !fitsNoName(field, p));
    if (possible.length === patterns.length) continue;
    refused = true;
    if (possible.length === 0) fitsNothing = true;
    out[field] = possible;
  }
  return { match: out, refused, fitsNothing };
}

/** Where rules are: the line each starts at, for messages naming another rule than the one reported. */
export type RuleLine = (index: number) => number;

/** The tail every message of this check ends its reason with. */
const IN_ORDER = '(rules are tried in order, the first that fits applies)';

/**
 * Reports every rule after one that fits every request it could fit, each once, naming the first
 * rule that hides it and its line (`lineOf`). A catch-all is named first: a rule without `match`,
 * with `match: {}` or with only all-`*` patterns fits every request, one narrowed only by `flow`,
 * `kind` or an all-`*` `namespace` every request of those kinds. Otherwise, an earlier rule whose
 * every condition the later one's imply (policy-rule-cover.ts: the later one's patterns fit only
 * names the earlier one's fit, it asks for the earlier one's tags, its kinds of request are among
 * the earlier one's). `add` is rooted at the document. `steps` is the budget of the comparisons
 * (tests spend it at every point of a check).
 */
export function unreachableRules(
  raw: unknown,
  add: AddProblem,
  lineOf: RuleLine,
  steps: number = DEFAULT_INCLUSION_STEPS,
): void {
  const rules = (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return;
  const matches = rules.map((rule: unknown) => (rule && typeof rule === 'object' ? possibleMatch(rule) : undefined));
  const matchOf = (j: number) => matches[j]?.match;
  // A rule that fits nothing hides nothing (its kinds are none), and is not reported here: it is
  // refused at the pattern or the conditions that make it fit nothing.
  const reaches = matches.map((m) =>
    !m ? undefined : m.fitsNothing ? { kinds: [], everything: false } : reach(m.match),
  );
  // One budget for the whole file: the comparisons of a hostile file end in bounded time, and
  // what is left uncompared loads (never refused on a guess). Each pair of rules looked at costs
  // a step too, compared or not, so a file of thousands of rules is not read pair by pair once
  // the budget is spent.
  const budget = { left: steps };
  const idOf = (j: number) => {
    const id = (rules[j] as Record<string, unknown>).id;
    return typeof id === 'string' ? id : `rules[${j}]`;
  };
  // The first catch-all so far fitting every request of each set of kinds (a bit mask of
  // REQUEST_KINDS indexes): found for each rule in one look, not by reading the rules before it.
  const firstCatchAll = new Array<number>(1 << REQUEST_KINDS.length).fill(-1);
  const maskOf = (kinds: number[]) => kinds.reduce((mask, k) => mask | (1 << k), 0);
  const report = (i: number) => {
    const mine = reaches[i];
    // A rule with a pattern that fits no name is refused at that pattern: the first thing to fix
    // there, and it may be what hides the rule (`aks-[pP]rod*` meant as the narrower `aks-prod*`).
    if (!mine || mine.kinds.length === 0 || matches[i]?.refused) return;
    const before = (e: number) => {
      const earlier = reaches[e];
      return e < i && !!earlier && mine.kinds.every((k) => earlier.kinds.includes(k));
    };
    const catchAll = firstCatchAll[maskOf(mine.kinds)];
    const reported = `${ruleName(rules[i] as Record<string, unknown>, i)} is never reached`;
    if (catchAll >= 0) {
      add(
        ['rules', i],
        `${reported}: ${named(rules[catchAll], catchAll)} (line ${lineOf(catchAll)}), before it, fits ` +
          `${scope(reaches[catchAll]?.kinds ?? [])} ${IN_ORDER}; move ${idOf(catchAll)} last`,
      );
      return;
    }
    let broader = -1;
    for (let e = 0; e < i && budget.left > 0 && broader < 0; e++) {
      budget.left -= 1;
      if (before(e) && coversMatch(matchOf(e), matchOf(i), budget)) broader = e;
    }
    if (broader < 0) return;
    const by = `${named(rules[broader], broader)} (line ${lineOf(broader)})`;
    // Whether the hidden rule fits every request the broader one fits too: then they are the same
    // and moving one above the other would only hide the other. Undefined when that could not be
    // told (the budget ran out, or a comparison its bound): the message then says both fixes.
    const same = (reaches[broader]?.kinds ?? []).every((k) => mine.kinds.includes(k))
      ? matchCoverage(matchOf(i), matchOf(broader), budget)
      : false;
    const fits = `${reported}: ${by}, before it, fits`;
    const narrowerFirst = `put the narrower rule first: move ${idOf(i)} above ${idOf(broader)}`;
    add(
      ['rules', i],
      same === true
        ? `${fits} exactly the requests it fits ${IN_ORDER}; remove one of the two`
        : same === false
          ? `${fits} every request it fits ${IN_ORDER}; ${narrowerFirst}`
          : `${fits} every request it fits ${IN_ORDER}; if ${idOf(broader)} fits more, ${narrowerFirst}; ` +
            'if they fit the same requests, remove one of the two (acrbot stopped comparing them before it could tell which)',
    );
  };
  reaches.forEach((reached, i) => {
    report(i);
    if (!reached?.everything) return;
    const mask = maskOf(reached.kinds);
    // Every set of kinds inside this rule's that no earlier catch-all fits is this rule's now.
    firstCatchAll.forEach((first, m) => {
      if (first < 0 && (m & ~mask) === 0) firstCatchAll[m] = i;
    });
  });
}
