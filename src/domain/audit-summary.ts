/**
 * Audit entries as the audit channel's card shows them: a run of consecutive refused clicks on
 * one request becomes one line with a count, so a flood of refusals cannot push the request's
 * real history (created, approved, executed) off the card. Every refusal stays in the audit
 * trail itself; this only changes what the card lists.
 */
import type { AuditEntry } from './audit-chain';
import { EXTEND_NOT_ACTIVE } from './new-request-codes';

/**
 * Plain words for the refusal reasons: the last part of `approval.refused.<reason>` (and
 * similar), or the code a refused revoke, extend or decision comment records as its outcome.
 * A reason without words is shown as recorded.
 */
const REASON_WORDS: Record<string, string> = {
  self: 'self-approval',
  notApprover: 'not an approver',
  stale: 'already decided',
  twice: 'same approver twice',
  expired: 'expired',
  justification: 'no justification',
  notRequester: 'not the requester',
  notPending: 'not pending',
  paused: 'new access paused',
  // An extension approved while its original's access ended or was ending.
  notActive: 'original access ended',
  // An extension approved after the drift check read its original's cluster gone (it gives nothing).
  clusterGone: 'cluster deleted',
  // An approval of a term the limits of now no longer allow (lowered since it was asked for).
  term: 'term past the limits',
  // An approval of a plan in a subscription taken out of ACRBOT_SUBSCRIPTION_IDS since.
  subscription: 'subscription no longer served',
  // A click by an approver whose own account was disabled or deleted in the directory since.
  disabledOrGone: 'account disabled or gone',
  // A "Withdraw my approval" by someone with no approval the quorum counts (never given, withdrawn
  // already, another approver, the requester): request-decision.ts `withdrawNow`.
  notCounted: 'no approval to withdraw',
  // A break-glass review while the grant, or its revocation, was still running.
  inProgress: 'still running',
  // A break-glass review of a run that failed: nothing was granted, no review is owed.
  failed: 'run failed, no review owed',
  'revoke.notActive': 'no access to revoke',
  'revoke.running': 'already being revoked',
  'revoke.notAllowed': 'not allowed to revoke',
  'revoke.notApprover': 'not an approver',
  'revoke.disabledOrGone': 'account disabled or gone',
  // `status R-…` by someone who is neither its requester nor its approver.
  'status.notYours': 'not theirs to see',
  // `pending R-…` by someone who may not decide it.
  'pending.notApprover': 'not an approver',
  [EXTEND_NOT_ACTIVE]: 'no access to extend',
  'extend.extendedSince': 'extended since the reminder',
  'extend.noExpiry': 'no end to extend',
  'extend.notRequester': 'not the requester',
  'extend.resourceGone': 'cluster or registry gone',
  'extend.resourceUnreadable': 'cluster or registry unreadable',
  'extend.subscriptionNotFound': 'subscription not found',
  'extend.subscriptionUnserved': 'subscription no longer served',
  'extend.breakGlass': 'break-glass is not extended',
  'extend.drifted': 'removed outside acrbot',
  'extend.clusterGone': 'cluster deleted',
  'extend.concurrent': 'another extension being filed',
  'extend.alreadyPending': 'an extension already waiting',
  'extend.inProgress': 'an extension being applied',
  'validation.tooLong': 'comment too long',
  'validation.secret': 'comment looks like a credential',
};

/**
 * The refusals a click (or a typed decision) makes: approve, reject, break-glass review, cancel,
 * and a decision refused while new access is paused. Other refused entries (a clean-up refused
 * because a stored reference is not acrbot's, a secret write refused) are findings, not clicks:
 * they keep their own line and detail.
 */
const CLICK_REFUSAL = /^(?:(?:approval|breakglass\.review|request\.cancel)\.refused\.|request\.refused\.paused$)/;

/**
 * Click refusals recorded with the refusal's code as outcome rather than `refused`: a revoke or
 * an extend refused (chat, card or tab), an Approve/Reject whose comment was refused
 * (`validation.failed` on a request; without one it is a form or card never tied to a request),
 * and a request's id typed by someone who may not see it (`status R-…`) or decide it
 * (`pending R-…`). Anyone can send such clicks and commands, as many as they like: left out,
 * they would flush the card too.
 */
const CODED_CLICK_REFUSAL = new Set([
  'revoke.refused',
  'extend.refused',
  'validation.failed',
  'status.refused',
  'pending.refused',
]);

function isRefusal(entry: AuditEntry): boolean {
  if (entry.requestId === undefined) return false;
  return CODED_CLICK_REFUSAL.has(entry.action) || (entry.outcome === 'refused' && CLICK_REFUSAL.test(entry.action));
}

function reasonOf(entry: AuditEntry): string {
  const reason = CODED_CLICK_REFUSAL.has(entry.action)
    ? entry.outcome
    : entry.action.slice(entry.action.lastIndexOf('.') + 1);
  return REASON_WORDS[reason] ?? reason;
}

/**
 * Replaces every run of two or more consecutive refusals by one entry whose action reads
 * "3 refused clicks: self-approval ×2, not an approver ×1" (reasons by first appearance), with
 * the last refusal's seq and time and the distinct people who clicked. Other entries unchanged.
 */
export function collapseRefusals(entries: readonly AuditEntry[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  let run: AuditEntry[] = [];
  const flush = () => {
    if (run.length === 1) out.push(run[0]);
    if (run.length > 1) {
      const counts = new Map<string, number>();
      for (const e of run) counts.set(reasonOf(e), (counts.get(reasonOf(e)) ?? 0) + 1);
      const last = run[run.length - 1];
      // People by their object id: two who share a display name are two people, not one.
      const people = new Map(run.map((e) => [e.actor.objectId, e.actor.name]));
      out.push({
        ...last,
        action: `${run.length} refused clicks: ${[...counts].map(([r, n]) => `${r} ×${n}`).join(', ')}`,
        actor: { objectId: people.size === 1 ? last.actor.objectId : 'several', name: [...people.values()].join(', ') },
        // The reasons are in the line; a coded refusal's outcome (its code) would name one of them.
        outcome: 'refused',
        detail: undefined,
      });
    }
    run = [];
  };
  for (const entry of entries) {
    if (isRefusal(entry) && (run.length === 0 || run[0].requestId === entry.requestId)) {
      run.push(entry);
      continue;
    }
    flush();
    if (isRefusal(entry)) run.push(entry);
    else out.push(entry);
  }
  flush();
  return out;
}
