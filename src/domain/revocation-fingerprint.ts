/**
 * What a revoke confirmation card listed, as one short string its button carries (G17): the
 * requests it would revoke, their versions, and every delete and keep step of its preview. The
 * click computes it again from the store; a different one means something changed since the card
 * was drawn (an extension approved, another holder of a role assignment ended), so the click
 * shows the new preview instead of deleting what the card did not list.
 *
 * Change detection, not a secret: card data can be forged, and whoever forges it may revoke
 * (the click checks who acts) and could click a fresh card just as well.
 */
import { createHash } from 'node:crypto';

/** One request of a revoke preview and its steps (the view's and the flows' shapes both fit). */
export interface PreviewedRevocation {
  request: { id: string; version: number };
  lines: ReadonlyArray<{ what: string; target: string; action: 'delete' | 'keep'; why?: string }>;
}

/** Marks the format, so a card drawn by an older acrbot (a number) never matches. */
const PREFIX = 'rv1-';

/** The fingerprint of a revoke preview (one request's, or a pair's in the order listed). */
export function revocationFingerprint(previews: readonly PreviewedRevocation[]): string {
  const canonical = previews.map(({ request, lines }) => [
    request.id,
    request.version,
    lines.map((l) => [l.action, l.what, l.target, l.why ?? '']),
  ]);
  return PREFIX + createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}
