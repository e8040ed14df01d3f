/**
 * A resource group's name as cards show it. ARM allows any letter in one (names.ts), so a name
 * that mixes scripts or uses special letter forms (`rg-prоd` with a Cyrillic "о") is followed by
 * ⚠ and why (look-alike-names.ts): an approver, or someone reading who can pull, does not take it for
 * the group it looks like. Cluster and registry names are ASCII by Azure's rules and need none.
 */
import { lookAlikeWarning } from '../domain/look-alike-names';
import { inertText } from './inert-text';

/**
 * `name`, with the look-alike warning after it when it has one; not neutralised, for a line that
 * is neutralised whole ({@link inertText}). The warning may quote the name: user text as well.
 */
export function warnedGroupName(name: string): string {
  const warning = lookAlikeWarning(name);
  return warning ? `${name} \u26a0 ${warning}` : name;
}

/** {@link warnedGroupName}, neutralised: for a card field that holds little else. */
export function groupName(name: string): string {
  return inertText(warnedGroupName(name));
}
