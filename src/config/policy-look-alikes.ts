/**
 * Match values that read like another: a resource group pattern with a look-alike letter
 * (`rg-рrod`, a Cyrillic "р"), or a tag name or value with one, with an invisible character
 * (a zero-width space pasted with it) or with a space at its start or end. Each is compared as
 * written, so the rule fits only a name spelt with those very characters: the strict rule meant
 * for `rg-prod` never fits it, and its requests go on to a later, perhaps looser, rule. Warnings,
 * not problems: Azure allows such resource groups and tags (names.ts), and a policy may name them.
 * Other name conditions hold ASCII only, so policy-name-patterns.ts refuses such characters in
 * them, and a space or invisible character in a resource group pattern too.
 */
import { lookAlikeWarning } from '../domain/look-alike-names';
import * as invisible from '../domain/invisible-characters';
import { hasInvisible, withoutInvisible } from '../domain/text';
import { shownCut } from './policy-name-patterns';
import type { PolicyWarning } from './policy-warnings';

/** Where a warning about the match value at `path` of rule `i` (`['match', field, …]`) is reported. */
export type MatchWarningAt = (i: number, path: (string | number)[]) => { line: number; col: number; path: string };

/**
 * Zero-width non-joiner and joiner (U+200C, U+200D): text.ts leaves them out of its invisible set
 * (prose keeps them between letters, in emoji and Persian words), but in a value compared as
 * written they are as unseen as a zero-width space.
 */
const JOINERS = new RegExp(`[${invisible.JOINERS}]`, 'gu');

/** Whether `text` holds a character that shows nothing: text.ts's set, and the joiners. */
const showsNothing = (text: string) => hasInvisible(text) || text.search(JOINERS) >= 0;

/** Spaces other than the plain one (no-break, en, ideographic…): they read as one and are not. */
const ODD_SPACE = /[^\S ]|[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/u;

/** Why `text` may not be what it reads as, or undefined; `spaces` when spaces at its ends count. */
function suspect(text: string, spaces: boolean): string | undefined {
  const reasons: string[] = [];
  if (showsNothing(text)) reasons.push('has an invisible character');
  else if (ODD_SPACE.test(text)) reasons.push('has a space that is not a plain one');
  if (spaces && /^\s|\s$/u.test(text)) reasons.push('has a space at its start or end');
  const lookAlike = lookAlikeWarning(text);
  if (lookAlike) reasons.push(lookAlike);
  return reasons.length ? reasons.join('; ') : undefined;
}

/** The text without invisible characters and end spaces, odd spaces made plain: offered when it differs. */
const plain = (text: string) =>
  [...withoutInvisible(text).replace(JOINERS, '')]
    .map((ch) => (ODD_SPACE.test(ch) ? ' ' : ch))
    .join('')
    .trim();

/** How the message ends: what the condition then fits, and what to write if plain text was meant. */
function consequence(text: string): string {
  const fix = plain(text);
  const write = fix && fix !== text ? `write ${fix}` : 'retype it in plain letters';
  return `it is compared as written, so the rule fits only that very text and requests for the name it looks like go on to a later rule; ${write} if that is what was meant`;
}

/** Warnings for the resource group patterns, tag names and tag values of `rules` (the raw, loaded document). */
export function lookAlikeMatchWarnings(rules: readonly unknown[], at: MatchWarningAt): PolicyWarning[] {
  const out: PolicyWarning[] = [];
  rules.forEach((value, i) => {
    const rule = value as { id: string; match?: Record<string, unknown> };
    const match = rule.match ?? {};
    const warn = (path: (string | number)[], what: string, why: string, text: string) =>
      out.push({ ...at(i, path), ruleId: rule.id, message: `rule ${rule.id}: ${what} ${why}: ${consequence(text)}` });
    for (const field of ['resourceGroup', 'clusterResourceGroup'] as const) {
      const patterns = match[field];
      const list: unknown[] = Array.isArray(patterns) ? patterns : [patterns];
      list.forEach((pattern, j) => {
        if (typeof pattern !== 'string') return;
        // A space or invisible character is refused there (policy-name-patterns.ts): only letters remain.
        const why = lookAlikeWarning(pattern);
        if (why)
          warn(
            ['match', field, ...(Array.isArray(patterns) ? [j] : [])],
            `${field} ${shownCut(pattern)}`,
            why,
            pattern,
          );
      });
    }
    for (const field of ['clusterTags', 'registryTags'] as const) {
      const tags = match[field];
      if (!tags || typeof tags !== 'object') continue;
      for (const [name, tagValue] of Object.entries(tags as Record<string, unknown>)) {
        const nameWhy = suspect(name, true);
        if (nameWhy) warn(['match', field, name], `${field} tag name ${shownCut(name)}`, nameWhy, name);
        if (typeof tagValue !== 'string') continue;
        const valueWhy = suspect(tagValue, true);
        if (valueWhy)
          warn(
            ['match', field, name],
            `the value of ${field} tag ${shownCut(name)}, ${shownCut(tagValue)},`,
            valueWhy,
            tagValue,
          );
      }
    }
  });
  return out;
}
