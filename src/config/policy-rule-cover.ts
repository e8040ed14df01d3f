/**
 * Whether an earlier rule fits every request a later one fits, on the raw `match` of each (see
 * policy-rule-order.ts, which reports the later rule as never reached). Only what can be
 * proven counts: a wrong "yes" would refuse a valid policy file at start, so a condition that
 * cannot be read or compared makes the answer "no" (matchCoverage says "cannot tell" instead, for
 * a message that must not claim the answer).
 *
 * Rules are chosen by their `match` alone (domain/policy.ts, ruleMatches): every condition of
 * the earlier rule must be implied by the later one's. `flow` and `kind` are compared by the
 * caller, over the three kinds of request; this file compares the rest.
 */
import { globIncludes, globListIncludes, type InclusionBudget } from '../domain/glob-inclusion';

/** Conditions on a name or id: globs, a list fitting when one of them fits. */
const NAME_FIELDS = new Set([
  'cluster',
  'registry',
  'resourceGroup',
  'subscription',
  'clusterResourceGroup',
  'clusterSubscription',
  'namespace',
]);
/** Conditions the caller compares, by the kinds of request they leave. */
const KIND_FIELDS = new Set(['flow', 'kind']);
/** Exact tag values, tag names compared without regard to case. */
const TAG_FIELDS = new Set(['clusterTags', 'registryTags']);

/** The patterns of a condition when it is one pattern or a list of them, else undefined. */
function patternsOf(value: unknown): string[] | undefined {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.length > 0 && list.every((p) => typeof p === 'string') ? (list as string[]) : undefined;
}

/** A tag condition as lower-cased name → value, or undefined when it is not a map of text. */
function tagsOf(value: unknown): Map<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out = new Map<string, string>();
  for (const [name, tag] of Object.entries(value)) {
    if (typeof tag !== 'string') return undefined;
    // The same tag twice in different case never fits (policy-file.ts refuses it): not compared.
    if (out.has(name.toLowerCase())) return undefined;
    out.set(name.toLowerCase(), tag);
  }
  return out;
}

/**
 * Every tag `outer` asks for, `inner` asks for with the same value (so whatever fits inner fits
 * outer); undefined when either cannot be read. Charged to `budget` by the tags read, as the glob
 * comparisons are (a few steps a tag: each is read, lower-cased and stored).
 */
function tagsImplied(outer: unknown, inner: unknown, budget: InclusionBudget): boolean | undefined {
  const wanted = tagsOf(outer);
  if (!wanted) return undefined;
  budget.left -= 3 * wanted.size;
  if (wanted.size === 0) return true;
  const given = inner === undefined ? new Map<string, string>() : tagsOf(inner);
  budget.left -= 3 * (given?.size ?? 0);
  if (!given) return undefined;
  return [...wanted].every(([name, tag]) => given.get(name) === tag);
}

/** Whether `outer`'s patterns fit every text one of `inner`'s fits: true, false, or undefined (cannot tell). */
type ListIncludes = (
  outer: readonly string[],
  inner: readonly string[],
  budget: InclusionBudget,
) => boolean | undefined;

/**
 * globListIncludes telling "no" from "cannot tell" (the budget or the walk's bound ran out): each
 * inner pattern is compared on its own, the outer ones read again for each.
 */
const listIncludesOrUnknown: ListIncludes = (outer, inner, budget) => {
  let unknown = false;
  for (const pattern of inner) {
    const answer = globIncludes(outer, pattern, budget);
    if (answer === false) return false;
    if (answer === undefined) unknown = true;
  }
  return unknown ? undefined : true;
};

/**
 * True when every request `inner` (a rule's raw `match`) fits, `outer` fits as far as the
 * conditions other than `flow` and `kind` go. A condition inner lacks stands for any value: only
 * a pattern fitting every text (`*`) implies it. A `namespace` condition inner lacks is such a
 * condition too once the caller has found inner's requests to be pull secrets only, which all
 * have one (the caller checks that: a namespace condition leaves grants out of outer's kinds).
 * `budget` bounds the work of the comparisons over a whole load: once it is spent, the answer
 * is "no" without reading either match. False when it is not so or cannot be told
 * ({@link matchCoverage} tells the two apart).
 */
export function coversMatch(outer: unknown, inner: unknown, budget: InclusionBudget): boolean {
  return compareMatches(outer, inner, budget, false) === true;
}

/**
 * {@link coversMatch}, telling "no" (false: some request inner fits, outer does not, as far as
 * these conditions go) from "cannot tell" (undefined: a condition could not be read, or the
 * budget or a comparison's bound ran out before the answer was found). For a message that must
 * not claim what was not established.
 */
export function matchCoverage(outer: unknown, inner: unknown, budget: InclusionBudget): boolean | undefined {
  return compareMatches(outer, inner, budget, true);
}

/**
 * Both of the above. Without `tellNo`, only a proof counts: the first condition not proven ends
 * the comparison (globListIncludes, which reads the outer patterns once, says false for "cannot
 * tell" too). With it, the conditions after one that cannot be told are still compared, in case
 * one of them says "no".
 */
function compareMatches(outer: unknown, inner: unknown, budget: InclusionBudget, tellNo: boolean): boolean | undefined {
  const outerMatch = outer ?? {};
  const innerMatch = inner ?? {};
  if (typeof outerMatch !== 'object' || Array.isArray(outerMatch)) return undefined;
  if (typeof innerMatch !== 'object' || Array.isArray(innerMatch)) return undefined;
  // A spent budget: not compared, at the cost of this look (a file of many rules stays fast).
  if (budget.left <= 0) return undefined;
  const innerFields = innerMatch as Record<string, unknown>;
  const conditions = Object.entries(outerMatch as Record<string, unknown>);
  budget.left -= conditions.length + 1;
  const listIncludes = tellNo ? listIncludesOrUnknown : globListIncludes;
  let unknown = false;
  for (const [field, value] of conditions) {
    const implied = conditionImplied(field, value, innerFields, budget, listIncludes);
    if (implied === true) continue;
    // One condition not implied is "no", whatever the others would say.
    if (implied === false && tellNo) return false;
    if (!tellNo) return undefined;
    unknown = true;
  }
  return unknown ? undefined : true;
}

/** Whether inner's conditions imply outer's condition `field: value`; undefined: cannot tell. */
function conditionImplied(
  field: string,
  value: unknown,
  innerFields: Record<string, unknown>,
  budget: InclusionBudget,
  listIncludes: ListIncludes,
): boolean | undefined {
  if (KIND_FIELDS.has(field)) return true;
  if (TAG_FIELDS.has(field)) return tagsImplied(value, innerFields[field], budget);
  if (!NAME_FIELDS.has(field)) return undefined;
  const wanted = patternsOf(value);
  const given = field in innerFields ? patternsOf(innerFields[field]) : ['*'];
  if (!wanted || !given) return undefined;
  return listIncludes(wanted, given, budget);
}
