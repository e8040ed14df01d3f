/**
 * The audit trail of the approval policy's reloads (G11, G18): a reload that takes a new file is
 * `policy.reloaded` (the hash in force before and after, the rules added, removed and changed),
 * one that refuses a file is `policy.reload.refused` (its first problem). Until these, the trail
 * named a policy hash on each decision but never when, or whether, that policy came into force.
 *
 * Every instance watches the same file and reloads it within moments of the others: the entry is
 * keyed by what changed (the two hashes, or the problem and the hash kept) and the hour, so the
 * instances write one between them. The same change made again in the same hour (a file put back
 * and then changed again) is not recorded twice.
 *
 * A reload can leave a break-glass review owed to nobody (no rule covers its pair and the policy
 * names none of the approvers its rule had, or only its requester; or its rule names only its
 * requester: nobodyReviews). Until the daily report, nothing said so: the `policy.reloaded` entry
 * and a warn line now name those requests when the reload takes the file (the entry, filed under
 * one tenant, names only that tenant's and counts the others').
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../domain/audit-chain';
import { nobodyReviews, ruleUnder } from '../domain/decided-rule';
import type { Policy, PolicyRule } from '../domain/policy';
import type { AuditLog, Clock } from '../domain/ports';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';

/** A reload as the policy source reports it (config/policy-source.ts, PolicyReload). */
export type PolicyReloadOutcome =
  { ok: true; changed: boolean; policy: Policy } | { ok: false; error: Error; policy: Policy };

/** Most rule ids an entry lists per kind of change; the rest are counted. */
const IDS_LISTED = 10;

/**
 * Reads the break-glass grants whose review is owed (RequestService.awaitingReview: bounded,
 * WAITING_SCAN_LIMIT), for a reload that takes a new file to name those nobody can review now.
 */
export type ReviewsOwedReader = () => Promise<{ requests: readonly AccessRequest[] }>;

/** Characters of a hash a key keeps: two in a key stay under IDEMPOTENCY_KEY_MAX. */
const KEY_HASH_CHARS = 24;

/** Audits the reloads of the approval policy; the composition root calls {@link record} from the source's callback. */
export class PolicyReloadAudit {
  /** The policy in force before the reload being recorded. */
  private inForce: Policy;

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The tenant the entries are filed under (acrbot's own: the first served). */
    private readonly tenantId: string,
    initial: Policy,
    /** Without it, a reload names no owed review (tests of the entries alone). */
    private readonly reviewsOwed?: ReviewsOwedReader,
  ) {
    this.inForce = initial;
  }

  /**
   * Appends the entry of one reload: `policy.reloaded` when it took a new file,
   * `policy.reload.refused` when it refused one (`reason`: its first problem, as the policy card
   * says it; PolicySource.refusal), nothing when the file had not changed. A file taken names the
   * owed break-glass reviews nobody can do under it ({@link nobodyReviews}), in the entry and in a
   * warn line. Never throws: a failed append is logged (the reload stands; the log line is then its
   * record), and so is a failed read of the reviews owed (the entry is written without them).
   */
  async record(reload: PolicyReloadOutcome, reason?: string): Promise<void> {
    // The policy before is taken before any await: reloads recorded back to back keep their order.
    const event = this.eventOf(reload, reason);
    if (reload.ok) this.inForce = reload.policy;
    if (!event) return;
    // Appended in call order: a reload taken waits on the reviews read before its append, and a
    // refusal recorded meanwhile must not land in the trail ahead of it. write() never rejects.
    const written = this.tail.then(() => this.write(event, reload.policy));
    this.tail = written;
    await written;
  }

  /** The chain of appends, in the order {@link record} was called. */
  private tail: Promise<void> = Promise.resolve();

  /** Appends one entry (a taken file's with the reviews left to nobody); never rejects. */
  private async write(entry: AuditEvent, policy: Policy): Promise<void> {
    let event = entry;
    if (event.action === 'policy.reloaded') {
      const left = await this.leftToNobody(policy);
      // The entry is filed under one tenant: it names that tenant's requests, and only counts
      // another's (the warn line, the operator's, names them all).
      const own = left.filter((r) => r.tenantId === event.tenantId).map((r) => r.id);
      const others = left.length - own.length;
      if (left.length > 0) event = { ...event, detail: `${event.detail}; ${nobodyText(own, others)}` };
    }
    try {
      await this.audit.append(event);
      this.log.debug({ action: event.action, policyHash: event.policyHash }, 'policy reload audited');
    } catch (err) {
      this.log.error(
        { err, action: event.action, policyHash: event.policyHash },
        'policy reload could not be audited; the reload stands',
      );
    }
  }

  /**
   * The owed break-glass reviews nobody can do under `policy` (nobodyReviews of the rule whose
   * approvers review each under it, ruleUnder as ApproverAuthority.ruleOf finds it), oldest first,
   * of every tenant; named in a warn line when any. Pure over the one bounded read: no directory read (a rule with groups is
   * not judged, as nobodyReviews says). Empty when there is no reader or the read failed (logged).
   */
  private async leftToNobody(policy: Policy): Promise<AccessRequest[]> {
    if (!this.reviewsOwed) return [];
    let left: AccessRequest[];
    try {
      // Judging inside the try too: an owed request the policy code cannot place must not make
      // record() throw; the entry is then written without the names.
      const owed = (await this.reviewsOwed()).requests;
      left = owed.filter((r) => nobodyReviews(ruleUnder(r, policy), r.requester));
    } catch (err) {
      this.log.warn(
        { err, policyHash: policy.hash },
        'policy reload: the break-glass reviews owed could not be read to name those nobody can review now',
      );
      return [];
    }
    if (left.length > 0)
      this.log.warn(
        { policyHash: policy.hash, requestIds: left.slice(0, IDS_LISTED).map((r) => r.id), count: left.length },
        'approval policy reloaded: nobody can review some owed break-glass reviews under it',
      );
    return left;
  }

  private eventOf(reload: PolicyReloadOutcome, reason: string | undefined): AuditEvent | undefined {
    const hour = this.clock.now().toISOString().slice(0, 13);
    const base = { actor: ACRBOT_ACTOR, tenantId: this.tenantId, targetIds: [] };
    if (!reload.ok) {
      const why = reason ?? 'the file could not be loaded';
      return {
        ...base,
        action: 'policy.reload.refused',
        outcome: 'refused',
        detail: `policy ${reload.policy.hash} kept: ${why}`,
        policyHash: reload.policy.hash,
        idempotencyKey: `policy.reload.refused:${short(reload.policy.hash)}:${short(digest(why))}:${hour}`,
      };
    }
    const before = this.inForce;
    if (!reload.changed || before.hash === reload.policy.hash) return undefined;
    return {
      ...base,
      action: 'policy.reloaded',
      outcome: 'reloaded',
      detail: `policy ${before.hash} → ${reload.policy.hash}; ${ruleChanges(before.rules, reload.policy.rules)}`,
      policyHash: reload.policy.hash,
      idempotencyKey: `policy.reloaded:${short(before.hash)}>${short(reload.policy.hash)}:${hour}`,
    };
  }
}

/**
 * "break-glass reviews owed that nobody can do under it until the policy is mended: R-1, R-2 (and
 * 3 in other tenants)": `ids`, the entry's tenant's; `others`, how many of other tenants, counted
 * only (a tenant's trail never names another's requests).
 */
function nobodyText(ids: readonly string[], others: number): string {
  const elsewhere = `${others} in other tenant${others === 1 ? '' : 's'}`;
  const named = ids.length === 0 ? elsewhere : others > 0 ? `${listed(ids)} (and ${elsewhere})` : listed(ids);
  return `break-glass reviews owed that nobody can do under it until the policy is mended: ${named}`;
}

/** "rules added: a; removed: b; changed: c", or "rules unchanged" (what else changed is in the file). */
function ruleChanges(before: readonly PolicyRule[], after: readonly PolicyRule[]): string {
  const old = new Map(before.map((r) => [r.id.toLowerCase(), r]));
  const now = new Map(after.map((r) => [r.id.toLowerCase(), r]));
  const added = after.filter((r) => !old.has(r.id.toLowerCase())).map((r) => r.id);
  const removed = before.filter((r) => !now.has(r.id.toLowerCase())).map((r) => r.id);
  const changed = after
    .filter((r) => {
      const was = old.get(r.id.toLowerCase());
      return was !== undefined && JSON.stringify(was) !== JSON.stringify(r);
    })
    .map((r) => r.id);
  const parts = [
    added.length > 0 && `added: ${listed(added)}`,
    removed.length > 0 && `removed: ${listed(removed)}`,
    changed.length > 0 && `changed: ${listed(changed)}`,
  ].filter(Boolean);
  return parts.length > 0 ? `rules ${parts.join('; ')}` : 'rules unchanged';
}

function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, IDS_LISTED).join(', ');
  return ids.length > IDS_LISTED ? `${shown} and ${ids.length - IDS_LISTED} more` : shown;
}

function short(hash: string): string {
  return hash.slice(0, KEY_HASH_CHARS);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
