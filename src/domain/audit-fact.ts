/**
 * Reading back what an audit entry said, for a later step of acrbot: from its `facts` (lists of
 * ids, audit-chain.ts), or, for an entry written before they existed (before an upgrade, or by an
 * older instance during it), from its detail's words.
 */
import type { AuditEvent } from './audit-chain';

/**
 * Whether `entry` says `value` under fact `key`: with `facts`, whether that list holds it (a
 * stored entry is read defensively: a list of strings, or not a record of them); without, `true`
 * when its detail's words say it (`olderWords`), else undefined: an older entry that said nothing
 * of it, which a caller may look past or read as "no".
 */
export function factSays(
  entry: Pick<AuditEvent, 'facts' | 'detail'>,
  key: string,
  value: string,
  olderWords: (detail: string) => boolean,
): boolean | undefined {
  if (entry.facts === undefined) return typeof entry.detail === 'string' && olderWords(entry.detail) ? true : undefined;
  const said: unknown = entry.facts[key];
  return Array.isArray(said) && said.includes(value);
}
