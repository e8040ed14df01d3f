/**
 * The net for a request left in an end state with no entry for it (G8, G11). A plain rejection
 * and an expiry are stored first (the conditional write picks the winner) and audited right after
 * (RequestAudit.recordOrUndo): a process that died in between left the state standing with no
 * entry in the trail, for good, as nothing moves a request out of an end state. One pass lists
 * such requests and writes the entry a click (or the expiry job) would have written, keyed by the
 * transition ({@link StoredTransition}), so it is written once whoever writes it first.
 *
 * A drift mark on a live grant is one too (drift-entry-net.ts): the request stays `succeeded`, but
 * the mark never comes off, and the drift check watches only unmarked grants.
 *
 * Before its entry the request is written again, unchanged but for its version
 * ({@link claimUnchanged}): the undo of a transition whose own entry failed is conditional on the
 * version it wrote (unaudited-undo.ts, drift-detector.ts), so that undo and this entry cannot
 * both happen. A transition younger than the grace it is given (CLICK_GRACE_MS) is left to its
 * own process, which may still be writing the entry. Run by the net for half-done decisions
 * (review-reject-net.ts `DecisionNet`): at start and with `drift.check`.
 */
import type { AuditEntry, AuditEvent } from '../domain/audit-chain';
import { mapAtMost } from '../domain/bounded-map';
import type { AuditLog, Clock, ListOrder, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, RequestState } from '../domain/request';
import type { Logger } from '../observability/logger';

/**
 * How far back stored transitions are checked: a process restarts (or the drift check runs) long
 * before; older ones are not read again on every pass.
 */
export const UNAUDITED_STATE_LOOKBACK_MS = 2 * 24 * 3_600_000;

/**
 * Most requests in one end state a pass reads, newest first: end states only accumulate, and the
 * pass reads a trail for each one not seen audited, so an unbounded listing would grow with
 * history. Listed by creation time, so one stored within the lookback is among them unless more
 * than this many of that state were created since it (an expiry comes at most
 * MAX_APPROVAL_TTL_MS after its creation). The net for approvals lists by it too (approval-entry-net.ts).
 */
export const UNAUDITED_STATE_SCAN_LIMIT = 500;

/** Trails (or requests) the nets for half-done decisions read at once; the net for untold outcomes too (outcome-told-net.ts). */
export const READS_AT_ONCE = 16;

/** Times the unchanged write before an entry is tried when other writes land first. */
const CLAIM_ATTEMPTS = 3;

/**
 * The error the nets for half-done decisions log for a request whose entry or follow-up failed
 * (review-reject-net.ts too): one sentence for all, as docs/operations.md lists it.
 */
export const UNFINISHED =
  'finishing a decision a stopped process left unaudited or unrevoked failed; the next start or drift check tries again';

/** One kind of transition stored before its entry, as the net finds and audits it. */
export interface StoredTransition {
  /** The end state it stores. */
  state: RequestState;
  /** The action of its entry: a request in `state` with one in its trail is audited. */
  action: string;
  /** When the transition was stored on `request`; undefined when `request` is not one of it. */
  at(request: AccessRequest): string | undefined;
  /** The entry of the transition stored at `at`, keyed by it as its own process writes it. */
  entry(request: AccessRequest, at: string): AuditEvent;
  /**
   * How a pass lists `state`; by default at most {@link UNAUDITED_STATE_SCAN_LIMIT}, newest first,
   * which holds every recent one of a transition that comes soon after its request's creation.
   * One that may come at any time in a long life (a drift mark) lists as its own process does.
   */
  listing?: { limit: number; order: ListOrder };
}

/** What the net reads and writes. */
export interface UnauditedStatePorts {
  store: Pick<RequestStore, 'get' | 'update' | 'listByState'>;
  audit: Pick<AuditLog, 'append' | 'forRequest'>;
  clock: Clock;
  log: Logger;
}

/** What one pass found and did. */
export interface UnauditedStatePass {
  /** Requests whose missing entry it wrote. */
  audited: string[];
  /** Requests whose check or entry failed (logged each); the next pass tries again. */
  failed: number;
}

/**
 * The net for one {@link StoredTransition} on one instance: what its passes found (requests seen
 * audited are not read again). Store cost of a pass: one `listByState` of at most
 * {@link UNAUDITED_STATE_SCAN_LIMIT}, newest first (or the transition's own `listing`); the trail
 * of each request stored between the grace and {@link UNAUDITED_STATE_LOOKBACK_MS} ago and not
 * seen audited by an earlier pass (16 at once); and for each one owing its entry a write and an
 * append.
 */
export class UnauditedStateNet {
  /**
   * Requests of the lookback found with their entry (an entry, once written, stays): not read
   * again. Kept to those the last listing still returned, so it holds at most the scan limit.
   */
  private seenAudited = new Set<string>();

  /** `graceMs`: CLICK_GRACE_MS, given by review-reject-net.ts, which runs this (so no import back). */
  constructor(
    private readonly kind: StoredTransition,
    private readonly ports: UnauditedStatePorts,
    private readonly graceMs: number,
  ) {}

  /**
   * One pass (see the class). `read`: the kind's listing when the caller already read it (as the
   * kind lists it, bound and order), so a state another net lists too is read once per pass.
   * Throws when the listing fails; a request's failure is counted and logged.
   */
  async pass(read?: AccessRequest[]): Promise<UnauditedStatePass> {
    const { kind, ports } = this;
    const now = ports.clock.now().getTime();
    const { limit, order } = kind.listing ?? { limit: UNAUDITED_STATE_SCAN_LIMIT, order: 'newestFirst' };
    const listed = read ?? (await ports.store.listByState([kind.state], limit, order));
    const recent = listed.filter((r) => this.settledAndRecent(r, now));
    const seen = this.seenAudited;
    this.seenAudited = new Set(recent.flatMap((r) => (seen.has(r.id) ? [r.id] : [])));
    const unseen = recent.filter((r) => !seen.has(r.id)).map((request) => ({ request }));
    return auditOwing(
      ports,
      unseen,
      ({ request }, trail) => {
        const audited = trail.some((e) => e.action === kind.action);
        if (audited) this.seenAudited.add(request.id);
        return audited ? undefined : request;
      },
      async ({ request }) => {
        const done = await this.audit(request);
        this.seenAudited.add(request.id);
        return done;
      },
    );
  }

  /** A request of the kind stored between the grace (its process may still be on it) and the lookback. */
  private settledAndRecent(request: AccessRequest, now: number): boolean {
    const at = request.state === this.kind.state ? this.kind.at(request) : undefined;
    const age = at === undefined ? NaN : now - Date.parse(at);
    return age >= this.graceMs && age <= UNAUDITED_STATE_LOOKBACK_MS;
  }

  /** Writes the missing entry of `request`; true when it did (false: undone or moved meanwhile). */
  private async audit(request: AccessRequest): Promise<boolean> {
    const { kind } = this;
    const at = kind.at(request)!;
    const claimed = await claimUnchanged(this.ports, request, (r) => r.state === kind.state && kind.at(r) === at);
    if (!claimed) return false;
    await this.ports.audit.append(kind.entry(claimed, at));
    return true;
  }
}

/**
 * The second half of a pass of the nets for half-done decisions: the trail of each of
 * `candidates` read ({@link READS_AT_ONCE} at once) and what it still owes taken from it by
 * `owedIn` (undefined: nothing), then each owing one finished by `audit` (true: it wrote), one by
 * one. A candidate whose read or `audit` fails is counted and logged, and the others go on.
 */
export async function auditOwing<C extends { request: AccessRequest }, O>(
  ports: Pick<UnauditedStatePorts, 'audit' | 'log'>,
  candidates: readonly C[],
  owedIn: (candidate: C, trail: AuditEntry[]) => O | undefined,
  audit: (candidate: C, owed: O) => Promise<boolean>,
): Promise<UnauditedStatePass> {
  const pass: UnauditedStatePass = { audited: [], failed: 0 };
  const failed = (err: unknown, requestId: string) => {
    pass.failed++;
    ports.log.error({ err, requestId }, UNFINISHED);
  };
  const owing = await mapAtMost(candidates, READS_AT_ONCE, async (candidate) => {
    try {
      return owedIn(candidate, await ports.audit.forRequest(candidate.request.id));
    } catch (err) {
      failed(err, candidate.request.id);
      return undefined;
    }
  });
  for (const [i, candidate] of candidates.entries()) {
    const owed = owing[i];
    if (owed === undefined) continue;
    try {
      if (await audit(candidate, owed)) pass.audited.push(candidate.request.id);
    } catch (err) {
      failed(err, candidate.request.id);
    }
  }
  return pass;
}

/**
 * Writes `request` again, unchanged but for its version, while `same` holds for what is stored:
 * an undo of the unaudited transition (conditional on the version its process wrote) can then no
 * longer land after the entry written next. Undefined once `same` fails (undone, moved on).
 * `updatedAt` stays: it is when the transition was stored (an expiry's time and the key of its
 * entry, expiry-net.ts), and a claim whose entry then fails must leave the next pass reading the
 * same time, not the claim's.
 */
export async function claimUnchanged(
  ports: Pick<UnauditedStatePorts, 'store'>,
  request: AccessRequest,
  same: (stored: AccessRequest) => boolean,
): Promise<AccessRequest | undefined> {
  let current: AccessRequest | undefined = request;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS && current && same(current); attempt++) {
    const claimed = { ...current, version: current.version + 1 };
    try {
      await ports.store.update(claimed);
      return claimed;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
    current = await ports.store.get(request.id);
  }
  if (current && same(current))
    throw new Error(`${request.id} kept changing; its unaudited transition is finished at the next pass`);
  return undefined;
}
