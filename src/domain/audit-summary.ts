/**
 * Audit entries as the audit channel's card shows them: a run of consecutive refused clicks on
 * one request becomes one line with a count, so a flood of refusals cannot push the request's
 * real history (created, approved, executed) off the card. Every refusal stays in the audit
 * trail itself; this only changes what the card lists.
 */
import type { AuditEntry } from './audit-chain';

/** Plain words for the refusal reasons recorded as `approval.refused.<reason>` (and similar). */
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
};

/**
 * The refusals a click (or a typed decision) makes: approve, reject, break-glass review, cancel,
 * and a decision refused while new access is paused. Other refused entries (a clean-up refused
 * because a stored reference is not acrbot's, a secret write refused) are findings, not clicks:
 * they keep their own line and detail.
 */
const CLICK_REFUSAL = /^(?:(?:approval|breakglass\.review|request\.cancel)\.refused\.|request\.refused\.paused$)/;

function isRefusal(entry: AuditEntry): boolean {
  return entry.outcome === 'refused' && entry.requestId !== undefined && CLICK_REFUSAL.test(entry.action);
}

function reasonOf(entry: AuditEntry): string {
  const last = entry.action.slice(entry.action.lastIndexOf('.') + 1);
  return REASON_WORDS[last] ?? last;
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
