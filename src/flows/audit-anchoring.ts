/**
 * Publishes the audit chain head as a signed anchor (the `audit.anchor` job), and verifies the
 * store against the anchors. Ports only: the anchor log and the audit log come from outside.
 */
import { anchorLine, type AnchorLog } from '../domain/audit-anchor';
import type { AuditKey } from '../domain/audit-chain';
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

/** The chain check, then the anchors (shared with the audit CLI, so it lives in the domain). */
export { verifyWithAnchors } from '../domain/audit-anchor';
