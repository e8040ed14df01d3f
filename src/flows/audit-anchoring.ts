/**
 * Publishes the audit chain head as a signed anchor (the `audit.anchor` job), and verifies the
 * store against the anchors. Ports only: the anchor log and the audit log come from outside.
 */
import { anchorLine, type AnchorLog, checkAnchors } from '../domain/audit-anchor';
import type { AuditEntry, AuditKey, ChainVerdict } from '../domain/audit-chain';
import type { AuditLog, Clock } from '../domain/ports';

/** Appends the current head (nothing when the log is empty); returns the anchored seq. */
export async function publishAnchor(
  audit: AuditLog,
  anchors: AnchorLog,
  key: AuditKey,
  clock: Clock,
): Promise<number | undefined> {
  const [head] = await audit.latest(1);
  if (!head) return undefined;
  await anchors.append(anchorLine(head, clock.now(), key));
  return head.seq;
}

/** The chain check, then the anchors: names the first entry that disagrees with what was published. */
export async function verifyWithAnchors(
  audit: AuditLog & { entryAt(seq: number): Promise<AuditEntry | undefined> },
  anchors: AnchorLog,
  key: AuditKey,
): Promise<ChainVerdict> {
  const chain = await audit.verify();
  return checkAnchors(chain, await anchors.lines(), (seq) => audit.entryAt(seq), key);
}
