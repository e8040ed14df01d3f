/**
 * The tab's revoke preview: chat's `revoke R-…` confirmation in the tab's wire shape. The steps
 * come from the one preview (flows/revocation-preview.ts, `AccessLifecycle.preview`), worded as
 * the card words them (domain/revocation-step-words.ts), with the card's fingerprint
 * (domain/revocation-fingerprint.ts): a confirm whose fingerprint differs from the one computed
 * again is answered with the new preview instead of revoking what the page did not show.
 */
import type { AccessRequest } from '../domain/request';
import { revocationFingerprint } from '../domain/revocation-fingerprint';
import { extensionRevokeNote, revocationStepWords, type RevocationLine } from '../domain/revocation-step-words';
import type { TabRevokePreview } from './tab-wire';

/**
 * The preview of revoking `target` (what the revoke ends, `mayRevoke`'s answer) with its steps
 * `lines`, as asked by `asked` (an extension's id ends its original: said first, as chat does).
 */
export function tabRevokePreview(
  asked: AccessRequest,
  target: AccessRequest,
  lines: readonly RevocationLine[],
): TabRevokePreview {
  return {
    requestId: target.id,
    ...(asked.id !== target.id && { extensionNote: extensionRevokeNote(asked.id, target.id) }),
    lines: lines.map(revocationStepWords),
    fingerprint: revocationFingerprint([{ request: target, lines }]),
  };
}
