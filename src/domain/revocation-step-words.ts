/**
 * The words of a revoke preview (flows/revocation-preview.ts `preview`), as chat's confirmation
 * card says them (views/lifecycle-view.ts `revokeConfirmCard`) and the tab's Revoke shows them
 * before it revokes (tab/revoke-preview.ts): one wording, so a tab user reads what a chat user
 * reads, and the sentences around them (what the revoke does; that what it lists changed since it
 * was shown). Plain text: chat makes it inert for Teams (`inertText`), the page puts it in as text.
 */

/**
 * One step of a revoke preview as its words are drawn: what will be deleted, or kept and why.
 * The one shape of a line for chat's revoke cards (views/lifecycle-view.ts and the pair's and
 * registry's), the tab's preview (tab/revoke-preview.ts) and the card's fingerprint
 * (revocation-fingerprint.ts); the flows' `RevocationStep` (flows/revocation-preview.ts) is it.
 */
export interface RevocationLine {
  what: string;
  target: string;
  /** `delete`: will be deleted; `keep`: left alone, with the reason. */
  action: 'delete' | 'keep';
  why?: string;
  /**
   * Told only: revoking changes nothing there (an assignment acrbot did not make). Not part of
   * the card's fingerprint (revocation-fingerprint.ts), since its listing may fail at one reading
   * and not at the other.
   */
  informational?: boolean;
}

/**
 * One step as a line: "Delete Kubernetes secret … (why)", or "Keep role assignment …: why" for
 * one left in place (another grant holds it, acrbot did not make it).
 */
export function revocationStepWords(step: RevocationLine): string {
  return step.action === 'delete'
    ? `Delete ${step.what} ${step.target}${step.why ? ` (${step.why})` : ''}`
    : `Keep ${step.what} ${step.target}: ${step.why ?? ''}`;
}

/**
 * What a revoke asked with an extension's id says first: revoking it ends its original's access
 * (`endedId`) and every extension of it, which the preview lists.
 */
export function extensionRevokeNote(askedId: string, endedId: string): string {
  return `${askedId} extends ${endedId}: revoking ends ${endedId}'s access and its extensions.`;
}

/**
 * What a revoke's confirmation says over its steps: the access ends now and only acrbot's own
 * objects go. `reason`: the one given, already made inert by the caller (chat's card quotes it;
 * the tab's preview is drawn before the reason is sent, so without one).
 */
export function revokeEndsWords(reason?: string): string {
  return `This ends the access now${reason ? ` (reason: "${reason}")` : ''}. acrbot deletes only what it created:`;
}

/**
 * What a revoke's confirmation drawn again says first when what it lists changed since the one
 * confirmed was shown (its fingerprint no longer matches): nothing was revoked. One sentence for
 * chat's card drawn again by its click (`card`), and for the tab's 409 `revoke.changed` and its
 * drawer's preview drawn again (`list`: the tab shows no card, so it names none).
 */
export function revokeChangedWords(shown: 'card' | 'list'): string {
  return `This changed since ${shown === 'card' ? 'the card was drawn' : 'it was shown'}; review again. Nothing was revoked yet.`;
}
