/**
 * An auto-approving rule that only cluster facts choose. Whoever owns a cluster sets its name and
 * tags (and its resource group, subscription, namespace; the requester picks the flow and kind),
 * so `match: { clusterTags: { env: dev } }` with `autoApprove` lets anyone who can tag a cluster
 * `env=dev` pull from every registry acrbot manages with no human asked. A warning, not a
 * problem: an organisation may mean it (one registry only, or dev clusters that may pull
 * anything), and refusing the file would stop a bot that runs today. See docs/policy.md.
 */
import type { PolicyRule, RuleMatch } from '../domain/policy';

/** Conditions on the registry side: set by the registry's owners, not the requester's. */
const REGISTRY_NAME_FIELDS = ['registry', 'resourceGroup', 'subscription'] as const;

/** Where a warning about rule `i` is reported: its `match` (or the rule, without one). */
export type RuleWarningAt = (i: number) => { line: number; col: number; path: string };

/** One warning about a rule of a policy that loads. */
export interface RuleScopeWarning {
  line: number;
  col: number;
  path: string;
  ruleId: string;
  message: string;
}

/** Only `*`s fit every text (as glob-inclusion.ts says): such a pattern in a list makes it no condition. */
const fitsEveryText = (patterns: readonly string[] | undefined) => !!patterns?.some((p) => /^\*+$/.test(p));

/**
 * The registry-side conditions of `match` that limit nothing (a pattern of only `*`), or
 * undefined when one of them does limit the registry. An empty list: there are none at all.
 */
function vacuousRegistryConditions(match: RuleMatch): string[] | undefined {
  if (match.registryTags && Object.keys(match.registryTags).length > 0) return undefined;
  const vacuous: string[] = [];
  for (const field of REGISTRY_NAME_FIELDS) {
    const patterns = match[field];
    if (patterns === undefined) continue;
    if (!fitsEveryText(patterns)) return undefined;
    vacuous.push(field);
  }
  return vacuous;
}

/** "registry", "registry and resourceGroup", "registry, resourceGroup and subscription". */
const listed = (names: readonly string[]) =>
  names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/**
 * A warning for every auto-approving rule of `rules` (as loaded, in file order) with no
 * registry-side condition (`registry`, `resourceGroup`, `subscription`, `registryTags`), or whose
 * only ones are `*`. Rules people approve are never warned about: an approver sees the registry.
 */
export function autoApproveScopeWarnings(rules: readonly PolicyRule[], at: RuleWarningAt): RuleScopeWarning[] {
  const out: RuleScopeWarning[] = [];
  rules.forEach((rule, i) => {
    if (!rule.autoApprove) return;
    const vacuous = vacuousRegistryConditions(rule.match);
    if (!vacuous) return;
    const star =
      vacuous.length === 0
        ? ''
        : ` (its ${listed(vacuous)} condition${vacuous.length === 1 ? ' is' : 's are'} "*", which fits every registry)`;
    out.push({
      ...at(i),
      ruleId: rule.id,
      message:
        `rule ${rule.id} auto-approves on cluster facts alone${star}: anyone who can set a cluster's name or tags ` +
        'gets pull from every registry without an approver; add a registry, resourceGroup, subscription or registryTags condition',
    });
  });
  return out;
}
