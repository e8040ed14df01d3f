/**
 * A `*` or `?` in a tag value of a rule's match (`clusterTags: { env: "prod*" }`). Every other
 * match field is a glob, but tag values are compared exactly (domain/policy.ts), so such a rule
 * fits only a tag whose value holds that very `*`: the operator who meant "prod-eu, prod-us" gets
 * a rule that fits no cluster, and requests fall through to a later, perhaps looser, rule. A
 * warning, not a problem: a tag value may really hold a `*`, and refusing the file would stop a
 * bot that runs today. See docs/policy.md.
 */
import type { PolicyRule } from '../domain/policy';
import type { PolicyWarning } from './policy-warnings';

/** Where a warning about tag `name` of rule `i`'s `field` is reported. */
export type TagWarningAt = (
  i: number,
  field: 'clusterTags' | 'registryTags',
  name: string,
) => { line: number; col: number; path: string };

/** A warning for every tag value of `rules` (as loaded, in file order) that holds `*` or `?`. */
export function tagValueGlobWarnings(rules: readonly PolicyRule[], at: TagWarningAt): PolicyWarning[] {
  const out: PolicyWarning[] = [];
  rules.forEach((rule, i) => {
    for (const field of ['clusterTags', 'registryTags'] as const) {
      for (const [name, value] of Object.entries(rule.match[field] ?? {})) {
        if (!/[*?]/.test(value)) continue;
        out.push({
          ...at(i, field, name),
          ruleId: rule.id,
          message:
            `rule ${rule.id}: the value of tag ${name} holds * or ?, but tag values are compared exactly (not as globs, ` +
            'unlike the other match fields), so it fits only a tag with that very text; list the rule once per value if several were meant',
        });
      }
    }
  });
  return out;
}
