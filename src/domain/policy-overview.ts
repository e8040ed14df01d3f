/**
 * Which rule of the policy applies to each kind of request for a cluster/registry pair, before
 * anyone asks (the `policy` command): a grant, and a pull secret of each credential kind. A
 * secret request also names a namespace, which the command does not know, so the rules that fit
 * only in some namespaces are listed before the one that takes every other namespace. Pure: the
 * same first-fit matching as {@link selectRule}.
 */
import type { SecretCredentialKind } from './plan';
import { factsFor, type MatchedResource, type Policy, type PolicyRule, ruleMatches, selectRule } from './policy';

/** A rule that fits a pair's pull secrets only in the namespaces its `match` names. */
export interface NamespaceRule {
  /** The rule's namespace globs, as written. */
  namespaces: string[];
  rule: PolicyRule;
}

/** The rules a pull secret of one credential kind would fall under, tried in this order. */
export interface SecretRules {
  /** Rules that fit only in the namespaces they name, in policy order (the first that fits applies). */
  byNamespace: NamespaceRule[];
  /** The rule for any other namespace; undefined when none fits (such a request is refused). */
  otherwise: PolicyRule | undefined;
}

/** The rules for every kind of request one cluster/registry pair can make. */
export interface PairRules {
  /** The rule a grant falls under; undefined when none fits. */
  grant: PolicyRule | undefined;
  /** Per credential kind of the secret flow. */
  secret: Record<SecretCredentialKind, SecretRules>;
}

/** The credential kinds of the secret flow, in the order cards list them. */
export const SECRET_KINDS: readonly SecretCredentialKind[] = ['token', 'sp'];

/** The rules that apply to `cluster` → `registry`, per flow and kind (see {@link PairRules}). */
export function rulesForPair(policy: Policy, cluster: MatchedResource, registry: MatchedResource): PairRules {
  return {
    grant: selectRule(policy, factsFor(cluster, registry, 'grant', 'roleAssignment')),
    secret: {
      token: secretRules(policy, cluster, registry, 'token'),
      sp: secretRules(policy, cluster, registry, 'sp'),
    },
  };
}

function secretRules(
  policy: Policy,
  cluster: MatchedResource,
  registry: MatchedResource,
  kind: SecretCredentialKind,
): SecretRules {
  const facts = factsFor(cluster, registry, 'secret', kind);
  const byNamespace: NamespaceRule[] = [];
  for (const rule of policy.rules) {
    const namespaces = rule.match.namespace;
    if (!ruleMatches({ ...rule.match, namespace: undefined }, facts)) continue;
    // Without a namespace condition the rule takes every namespace left: later rules are never
    // reached. So does a condition every namespace fits (`namespace: "*"`, the way to write "pull
    // secrets only"): listed as one namespace's rule, it would show later rules as applying.
    if (!namespaces || namespaces.some(fitsEveryNamespace)) return { byNamespace, otherwise: rule };
    byNamespace.push({ namespaces, rule });
  }
  return { byNamespace, otherwise: undefined };
}

/**
 * True when every namespace fits the glob: only `*`s, or `*`s and one `?` (a Kubernetes namespace
 * has at least one character). A rule with such a condition fits a secret request wherever it is.
 */
function fitsEveryNamespace(pattern: string): boolean {
  const wild = [...pattern].every((ch) => ch === '*' || ch === '?');
  const anyOne = [...pattern].filter((ch) => ch === '?').length;
  return wild && (anyOne === 0 || (anyOne === 1 && pattern.length > 1));
}

/** True when a grant and every pull secret of the pair, in any namespace, fall under the same rule. */
export function oneRuleForAll(rules: PairRules): boolean {
  return SECRET_KINDS.every(
    (kind) => rules.secret[kind].byNamespace.length === 0 && rules.secret[kind].otherwise === rules.grant,
  );
}
