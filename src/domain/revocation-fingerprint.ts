/**
 * What a revoke confirmation card listed, as one short string its button carries (G17): the
 * requests it would revoke, their versions, and every delete and keep step of its preview. The
 * click computes it again from the store; a different one means something changed since the card
 * was drawn (an extension approved, another holder of a role assignment ended), so the click
 * shows the new preview instead of deleting what the card did not list. Informational lines (what
 * else lets the cluster pull, which the revoke leaves alone) are not in it: a listing that failed
 * at the click and not at the card, or the other way, changes nothing the click deletes, and must
 * not turn the click into one more redraw.
 *
 * Change detection, not a secret: card data can be forged, and whoever forges it may revoke
 * (the click checks who acts) and could click a fresh card just as well.
 */
import { createHash } from 'node:crypto';
import type { RevocationLine } from './revocation-step-words';

/** One request of a revoke preview and its steps (the view's and the flows' shapes both fit). */
export interface PreviewedRevocation {
  request: { id: string; version: number };
  /** Its lines; an `informational` one is told, never acted on (left out of the fingerprint). */
  lines: readonly RevocationLine[];
}

/**
 * What a revoke card lists: one request (`revoke R-…`), a pair's requests (`revoke CLUSTER
 * REGISTRY`) or a registry's from every cluster (`revoke registry NAME`).
 */
export type RevokeScope = 'request' | 'pair' | 'registry';

/**
 * Each scope's mark, which also marks the format, so a card drawn by an older acrbot (a number)
 * never matches. A pair's or registry's card is told apart from one request's even when it lists
 * one, and from each other: a click reads again what its card listed.
 */
const PREFIX: Record<RevokeScope, string> = { request: 'rv1-', pair: 'rp1-', registry: 'rr1-' };

/**
 * The fingerprint of a revoke preview, of `scope` (one request's by default), in the order listed.
 * A pair's or registry's card is marked as such, so a click on one that lists a single request
 * reads the pair or registry again (a request started on it since) instead of taking it for that
 * request's own card.
 */
export function revocationFingerprint(
  previews: readonly PreviewedRevocation[],
  scope: RevokeScope = 'request',
): string {
  const canonical = previews.map(({ request, lines }) => [
    request.id,
    request.version,
    lines.filter((l) => !l.informational).map((l) => [l.action, l.what, l.target, l.why ?? '']),
  ]);
  return PREFIX[scope] + createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

/**
 * The scope of the card a revoke card's `version` fingerprints ({@link revocationFingerprint}),
 * or undefined for one drawn by an older acrbot (a number, or no mark known).
 */
export function fingerprintScope(drawn: string | number): RevokeScope | undefined {
  if (typeof drawn !== 'string') return undefined;
  return (Object.keys(PREFIX) as RevokeScope[]).find((scope) => drawn.startsWith(PREFIX[scope]));
}
