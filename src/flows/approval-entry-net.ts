/**
 * An approval short of its quorum stored without its `approval.recorded` entry (G11). A click
 * that does not yet reach the quorum stores its approval first (the conditional write picks the
 * winner, G8), then audits it (request-decision.ts `decideNow`). A process that died in between
 * left an approval that counts towards the quorum with no entry in the trail, for good: the final
 * `request.approved` entry names only the last approver. One pass finds such approvals on pending
 * requests and on recently decided ones, and writes each one's entry as its click would have, in
 * the approver's name, under the key its click writes it with ({@link approvalEntryKey}), so it
 * lands once whoever writes it first. Likewise the `approval.discounted` entry of approvals a
 * click dropped as no longer counting, which the request records with that click's write
 * (discounted-approvals.ts): written late in the rule's name, under its click's key.
 *
 * An approval still pending is claimed first ({@link claimUnchanged}): the click whose own entry
 * failed undoes its write conditionally on the version it wrote (unaudited-undo.ts), so that undo
 * and this entry cannot both happen. A decided request needs no claim: its decision was written
 * over the approval's write, so that undo can no longer land, and the decision's own undo puts
 * back the request it read, which holds the approval. (A discount stored with the deciding write
 * itself is, like that decision's late entry, decision-entry-net.ts, not claimed: the run that
 * follows writes the request again.) An approval or discount younger than the grace (its click
 * may still be writing the entry) is left to its click. Run by the net for half-done
 * decisions (review-reject-net.ts `DecisionNet`): at start and with `drift.check`.
 */
import type { AuditEntry, AuditEvent } from '../domain/audit-chain';
import { countedApprovals } from '../domain/policy';
import {
  type AccessRequest,
  type Approval,
  type DiscountedApproval,
  REQUEST_STATES,
  type RequestState,
} from '../domain/request';
import { targetsOf } from './request-audit';
import { discountedEntry, discountedEntryKey, discountGroups } from './discounted-approvals';
import {
  auditOwing,
  claimUnchanged,
  UNAUDITED_STATE_LOOKBACK_MS,
  UNAUDITED_STATE_SCAN_LIMIT,
  type UnauditedStatePorts,
} from './unaudited-state-net';

/**
 * The states a request that was pending moves to and keeps its approvals in: its earlier partial
 * approvals may lack their entries whatever decided it (the quorum, a rejection, the window).
 */
const DECIDED_STATES: RequestState[] = REQUEST_STATES.filter((state) => state !== 'pending');

/**
 * The idempotency key of the `approval.recorded` entry of one approval, its click's and a late
 * one alike. Keyed by the approval (who, when), not the request and approver alone: an approval
 * undone after an append that landed but was reported failed leaves its entry, and the same
 * approver's next approval must get one of its own.
 */
export function approvalEntryKey(requestId: string, approval: { by: { objectId: string }; at: string }): string {
  return `approval.recorded:${requestId}:${approval.by.objectId.toLowerCase()}:${approval.at}`;
}

/**
 * Whether `trail` holds the entry of `approval`: under its key, or (written before these entries
 * carried keys) an unkeyed `approval.recorded` of the same approver, so an upgrade writes no
 * second one.
 */
function recordedIn(trail: AuditEntry[], requestId: string, approval: Approval): boolean {
  const key = approvalEntryKey(requestId, approval);
  const who = approval.by.objectId.toLowerCase();
  return trail.some(
    (e) =>
      e.action === 'approval.recorded' &&
      (e.idempotencyKey === key || (e.idempotencyKey === undefined && e.actor.objectId.toLowerCase() === who)),
  );
}

/** One approval that may owe its entry, with its place among the approvals stored now (1-based). */
interface StoredApproval {
  approval: Approval;
  place: number;
}

/**
 * The approvals of `request` that have an `approval.recorded` entry to owe: every counted one but
 * the approving decision's, which its `request.approved` entry records.
 */
function partialApprovals(request: AccessRequest): StoredApproval[] {
  const decision = request.decision?.approved ? request.decision : undefined;
  return countedApprovals(request)
    .map((approval, i) => ({ approval, place: i + 1 }))
    .filter(
      ({ approval }) =>
        !decision ||
        approval.at !== decision.at ||
        approval.by.objectId.toLowerCase() !== decision.by.objectId.toLowerCase(),
    );
}

/**
 * The `approval.recorded` entry of `approval`, as its click writes it (actor, rule, key), written
 * late. Its outcome is "k of M" as far as the record tells: M is the quorum of the rule the
 * request is bound to (stored with the approval's own write, so known unless the record is older
 * than bindings); k is its place among the approvals stored now, which is the count its click
 * wrote unless a later click since dropped an earlier approver no longer of the rule (recorded
 * apart, `discountedApprovals`, with its own entry). Without a binding the entry says only the
 * place ("k so far").
 */
function lateApprovalEntry(request: AccessRequest, { approval, place }: StoredApproval): AuditEvent {
  const binding = request.policy;
  const why = `written late: the approval was stored at ${approval.at} but its process stopped before its entry; its count is its place among the approvals stored now`;
  return {
    actor: approval.by,
    tenantId: request.tenantId,
    action: 'approval.recorded',
    requestId: request.id,
    targetIds: targetsOf(request.plan),
    outcome: binding ? `${place} of ${Math.max(1, binding.approvalsRequired)}` : `${place} so far`,
    detail: approval.reason ? `${approval.reason} (${why})` : why,
    ...(binding && { ruleId: binding.ruleId, policyHash: binding.policyHash }),
    idempotencyKey: approvalEntryKey(request.id, approval),
  };
}

/**
 * The `approval.discounted` entry of `dropped` (one click's, see discountGroups), as its click
 * writes it (rule, detail, key), written late: its detail says so.
 */
function lateDiscountedEntry(request: AccessRequest, dropped: DiscountedApproval[]): AuditEvent {
  // discountGroups finds none on a request without a binding.
  const entry = discountedEntry(request, request.policy!, dropped, request.tenantId);
  return {
    ...entry,
    detail: `${entry.detail} (written late: the approvals were dropped at ${dropped[0].at} but the process stopped before their entry)`,
  };
}

/** One entry a stored approval or discount may owe the trail, as a pass checks and writes it. */
interface OwedEntry {
  /** Its idempotency key, its click's. */
  key: string;
  /** When what it records was stored. */
  at: string;
  /** Whether `trail` holds it. */
  in(trail: AuditEntry[]): boolean;
  /** Whether `stored` still holds what it records. */
  heldBy(stored: AccessRequest): boolean;
  /** The entry, written late on `current`. */
  late(current: AccessRequest): AuditEvent;
}

/** The entry `stored` (a partial approval of `request`) may owe. */
function approvalOwed(request: AccessRequest, stored: StoredApproval): OwedEntry {
  const key = approvalEntryKey(request.id, stored.approval);
  return {
    key,
    at: stored.approval.at,
    in: (trail) => recordedIn(trail, request.id, stored.approval),
    heldBy: (r) => (r.approvals ?? []).some((a) => approvalEntryKey(r.id, a) === key),
    late: (current) => lateApprovalEntry(current, stored),
  };
}

/** The entry `dropped` (the approvals one click dropped from `request`) may owe. */
function discountOwed(request: AccessRequest, dropped: DiscountedApproval[]): OwedEntry {
  const key = discountedEntryKey(request.id, dropped[0]);
  return {
    key,
    at: dropped[0].at,
    in: (trail) => trail.some((e) => e.idempotencyKey === key),
    heldBy: (r) => discountGroups(r).some((group) => discountedEntryKey(r.id, group[0]) === key),
    late: (current) => lateDiscountedEntry(current, dropped),
  };
}

/**
 * The entries `request`'s approvals and discounts may owe, oldest first: a click's own approval
 * before its discount, as the click writes them (the sort keeps that order on a tie).
 */
function owedEntries(request: AccessRequest): OwedEntry[] {
  return [
    ...partialApprovals(request).map((stored) => approvalOwed(request, stored)),
    ...discountGroups(request).map((dropped) => discountOwed(request, dropped)),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** What one pass found and did. */
interface ApprovalEntryPass {
  /** Requests with an approval or a discount whose missing entry it wrote. */
  audited: string[];
  /** Requests whose check or entry failed (logged each); the next pass tries again. */
  failed: number;
}

/**
 * The net for approvals on one instance: what its passes found (approvals and discounts seen
 * audited are not read again). Store cost of a pass: a `listByState(['pending'])` and one of the
 * decided states, each of at most UNAUDITED_STATE_SCAN_LIMIT, newest first; the trail of each
 * request holding an approval or a discount stored between the grace and
 * UNAUDITED_STATE_LOOKBACK_MS ago and not seen audited by an earlier pass (READS_AT_ONCE at
 * once): only requests of rules needing more than one approval hold one; and for each owing one,
 * a write (pending only) and an append per entry owed.
 */
export class ApprovalEntryNet {
  /**
   * Keys of entries of the lookback found written (an entry, once written, stays): not read
   * again. Kept to those the last listings still held, so it stays bounded.
   */
  private seenAudited = new Set<string>();

  /** `graceMs`: CLICK_GRACE_MS, given by review-reject-net.ts, which runs this (so no import back). */
  constructor(
    private readonly ports: UnauditedStatePorts,
    private readonly graceMs: number,
  ) {}

  /** One pass (see the class). Throws when a listing fails; a request's failure is counted and logged. */
  async pass(): Promise<ApprovalEntryPass> {
    const { ports } = this;
    const now = ports.clock.now().getTime();
    const listed = [
      ...(await ports.store.listByState(['pending'], UNAUDITED_STATE_SCAN_LIMIT, 'newestFirst')),
      ...(await ports.store.listByState(DECIDED_STATES, UNAUDITED_STATE_SCAN_LIMIT, 'newestFirst')),
    ];
    const seen = this.seenAudited;
    this.seenAudited = new Set();
    const candidates = listed.flatMap((request) => {
      const recent = owedEntries(request).filter(({ at }) => this.settledAndRecent(at, now));
      const unseen = recent.filter(({ key }) => {
        if (seen.has(key)) this.seenAudited.add(key);
        return !seen.has(key);
      });
      return unseen.length > 0 ? [{ request, unseen }] : [];
    });
    return auditOwing(
      ports,
      candidates,
      ({ unseen }, trail) => {
        const owed = unseen.filter((o) => {
          const audited = o.in(trail);
          if (audited) this.seenAudited.add(o.key);
          return !audited;
        });
        return owed.length > 0 ? owed : undefined;
      },
      ({ request }, owed) => this.audit(request, owed),
    );
  }

  /** Stored (an approval or a discount at `at`) between the grace (its click may still be on it) and the lookback. */
  private settledAndRecent(at: string, now: number): boolean {
    const age = now - Date.parse(at);
    return age >= this.graceMs && age <= UNAUDITED_STATE_LOOKBACK_MS;
  }

  /**
   * Writes the missing entries `owed` on `request`; true when it did (false: an approval or
   * discount undone or the request decided meanwhile, looked at again by the next pass).
   */
  private async audit(request: AccessRequest, owed: OwedEntry[]): Promise<boolean> {
    let current = request;
    if (request.state === 'pending') {
      const held = (r: AccessRequest) => r.state === 'pending' && owed.every((o) => o.heldBy(r));
      const claimed = await claimUnchanged(this.ports, request, held);
      if (!claimed) return false;
      current = claimed;
    }
    for (const o of owed) {
      await this.ports.audit.append(o.late(current));
      this.seenAudited.add(o.key);
    }
    return true;
  }
}
