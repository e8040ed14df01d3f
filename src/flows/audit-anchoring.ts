/**
 * Publishes the audit chain head as a signed anchor (the `audit.anchor` job), and verifies the
 * store against the anchors. Ports only: the anchor log and the audit log come from outside.
 */
import {
  anchorLine,
  type AnchorLog,
  AnchorsAheadError,
  type AuditAnchor,
  AnchorsUnavailableError,
  newestAnchor,
  storeHoldsAnchored,
} from '../domain/audit-anchor';
import type { AuditKey } from '../domain/audit-chain';
import type { AuditLog, Clock } from '../domain/ports';

/**
 * Appends the current head (nothing when the log is empty); returns the anchored seq. Refuses
 * with {@link AnchorsAheadError} when the newest published anchor vouches for an entry the store
 * does not hold (a store restored from a backup, or replaced): the anchor log is append-only, and
 * an anchor of this head next to it would make verify call the log rewritten for good. Thrown,
 * the `audit.anchor` job fails, is logged with its correlation id at every run and reported.
 */
export async function publishAnchor(
  audit: AuditLog,
  anchors: AnchorLog,
  key: AuditKey,
  clock: Clock,
): Promise<number | undefined> {
  await refuseIfAnchorsAhead(audit, anchors, key, 'publish');
  const [head] = await audit.latest(1);
  if (!head) return undefined;
  await anchors.append(anchorLine(head, clock.now(), key));
  return head.seq;
}

/**
 * Throws {@link AnchorsAheadError} when the newest anchor published with `key` vouches for an
 * entry the store does not hold: its seq is past the log's head, or the entry stored at that
 * seq has another hash. No anchor (none published yet, the container not there) is no
 * contradiction. Reads the newest day of anchors only, then the head and one entry.
 */
export async function refuseIfAnchorsAhead(
  audit: Pick<AuditLog, 'latest' | 'entryAt'>,
  anchors: Pick<AnchorLog, 'lines' | 'newestFirst' | 'location'>,
  key: AuditKey,
  refusal: 'start' | 'publish',
): Promise<void> {
  // The anchors before the head: one published by another instance between the two reads then
  // names a head already read, never one past it (as verify reads them).
  const anchor = await newestPublished(anchors, key);
  if (!anchor) return;
  const [head] = await audit.latest(1);
  const headSeq = head?.seq ?? 0;
  const stored = anchor.seq <= headSeq ? await audit.entryAt(anchor.seq) : undefined;
  if (storeHoldsAnchored(anchor, headSeq, stored)) return;
  throw new AnchorsAheadError(anchor.seq, headSeq, {
    at: anchor.at,
    location: anchors.location,
    differs: anchor.seq <= headSeq,
    refusal,
  });
}

/** The newest anchor signed with `key`: from the newest batch that holds one. */
async function newestPublished(
  anchors: Pick<AnchorLog, 'lines' | 'newestFirst'>,
  key: AuditKey,
): Promise<AuditAnchor | undefined> {
  if (anchors.newestFirst) {
    for await (const batch of anchors.newestFirst()) {
      const anchor = newestAnchor(batch, key);
      if (anchor) return anchor;
    }
    return undefined;
  }
  try {
    return newestAnchor(await anchors.lines(), key);
  } catch (err) {
    if (err instanceof AnchorsUnavailableError) return undefined;
    throw err;
  }
}

/** The chain check, then the anchors (shared with the audit CLI, so it lives in the domain). */
export { verifyWithAnchors } from '../domain/audit-anchor';
