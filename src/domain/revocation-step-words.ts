/**
 * The words of a revoke preview (flows/revocation-preview.ts `preview`), as chat's confirmation
 * card says them (views/lifecycle-view.ts `revokeConfirmCard`) and the tab's Revoke shows them
 * before it revokes (tab/revoke-preview.ts): one wording, so a tab user reads what a chat user
 * reads. Plain text: chat makes it inert for Teams (`inertText`), the page puts it in as text.
 */

/** One step of a revoke preview: what will be deleted, or kept and why. */
export interface RevocationStepText {
  what: string;
  target: string;
  action: 'delete' | 'keep';
  why?: string;
}

/**
 * One step as a line: "Delete Kubernetes secret … (why)", or "Keep role assignment …: why" for
 * one left in place (another grant holds it, acrbot did not make it).
 */
export function revocationStepWords(step: RevocationStepText): string {
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
