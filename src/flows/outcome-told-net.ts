/**
 * The net for run outcomes a stopped process left untold (G13; the outcome is how the requester
 * learns whether they got access). A run writes its final state (`succeeded`, `failed`) first,
 * then tells it: every card copy redrawn, the requester's outcome message posted, the lifecycle's
 * follow-up (end, reminders). The card writes and the message wait in this process's memory
 * (card-outbox.ts), so a process that died in between left the cards showing "Pending" with their
 * buttons and the requester never told, and nothing noticed: the state is final, no sweep looks.
 *
 * So once told, the run records it: `request.outcome.told`, keyed by the request (written once,
 * whoever writes it), as a revocation records `access.end.told`. Its final entry
 * (`request.succeeded`/`request.failed`) carries a key naming the request ({@link outcomeEntryKey}):
 * that is how a run that owes the mark is told apart from one that ended before the mark existed,
 * which is never told again. At start, and with the resume sweep (a full pass at most every
 * `atMostEveryMs`, and in between only the runs a pass found held), every run that ended within
 * {@link OUTCOME_NET_LOOKBACK_MS} owing the mark and lacking it is told again, under its
 * execution lease (`exec:<id>`, which the run holds until it has written the mark): a run still
 * telling on another instance is left to it, and two instances do not both tell. The cards go to
 * the newest state whatever they showed (card-copy-updates.ts); the requester gets the message
 * again only if the process died after Teams took it and before the mark was written.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../domain/audit-chain';
import { mapAtMost } from '../domain/bounded-map';
import type { AuditLog, Clock, LeaseStore, RequestStore } from '../domain/ports';
import { ACRBOT_ACTOR, type AccessRequest, isBeingRevoked } from '../domain/request';
import type { Logger } from '../observability/logger';
import { executionLeaseKey } from './access-lease';
import { FailedIds } from './failed-ids';
import { LeaseGuard } from './lease-guard';
import type { RequestNotifier } from './notifier';
import { SweepFailureLog, type SweepFailureMessages } from './scheduler-sweep-log';
import { READS_AT_ONCE } from './unaudited-state-net';

/** The audit action saying a run's outcome was told (cards redrawn, the requester's message sent). */
export const OUTCOME_TOLD = 'request.outcome.told';

/**
 * Runs that ended longer ago than this are not looked at: a stopped process restarts (or another
 * instance's pass runs) long before, and a first start after an upgrade does not read a year.
 */
export const OUTCOME_NET_LOOKBACK_MS = 24 * 3_600_000;

/**
 * How often the resume sweep's full pass runs at most on one instance: it lists the newest
 * ended runs and reads the trail of each that ended within the lookback (once: one seen told is
 * remembered). A start's pass always runs; a run a pass found held is retried at every sweep, and
 * so is a full pass whose listing failed.
 */
export const OUTCOME_NET_RECHECK_MS = 3_600_000;

/** Most ended runs one full pass lists, newest first (ended runs only accumulate). */
const OUTCOME_NET_SCAN_LIMIT = 500;

/** The idempotency key of {@link OUTCOME_TOLD}: one per request (its run ends once). */
export function outcomeToldKey(requestId: string): string {
  return `${OUTCOME_TOLD}:${requestId}`;
}

/**
 * A fresh idempotency key for a run's final entry (`request.succeeded`/`request.failed`): unique
 * per attempt (a resumed run that ends again writes its own), and naming the request, which says
 * the run will record {@link OUTCOME_TOLD} once told.
 */
export function outcomeEntryKey(requestId: string): string {
  return `${outcomeEntryPrefix(requestId)}${randomUUID()}`;
}

const outcomeEntryPrefix = (requestId: string): string => `request.outcome:${requestId}:`;

/** What telling an outcome uses. */
export interface OutcomeTelling {
  notifier: RequestNotifier;
  audit: Pick<AuditLog, 'append'>;
  log: Logger;
  /** Persists the mark when its append failed (an `audit.retry` job); absent: logged only. */
  auditRetry?: (event: AuditEvent & { idempotencyKey: string }) => Promise<void>;
}

/**
 * Tells the change to `request` (the cards, the requester, the lifecycle), then, for a final
 * state, records {@link OUTCOME_TOLD}. A failure of the notifier is logged (the state is already
 * true), and the mark is written all the same: the cards come first and never throw, so what
 * failed was the follow-up after them, and telling again would send the requester a second
 * message. Never throws.
 */
export async function tellOutcome(telling: OutcomeTelling, request: AccessRequest): Promise<void> {
  let followUpFailed = false;
  const answer = await telling.notifier.requestChanged(request).catch((err: unknown) => {
    followUpFailed = true;
    telling.log.error({ err, requestId: request.id, state: request.state }, 'follow-up of a state change failed');
    return undefined;
  });
  if (request.state !== 'succeeded' && request.state !== 'failed') return;
  // No conversation of the requester's (their card was never placed): nothing was sent to them,
  // and none will be (the mark is written all the same), as `access.end.told` says of an end.
  const noConversation = answer === 'noConversation';
  const sent = noConversation
    ? 'cards sent to Teams; the outcome message not sent: no conversation of the requester'
    : 'cards and the outcome message sent to Teams (a refusal is logged)';
  const event: AuditEvent & { idempotencyKey: string } = {
    actor: ACRBOT_ACTOR,
    tenantId: request.tenantId,
    requestId: request.id,
    targetIds: [request.plan.cluster.id, request.plan.registry.id],
    action: OUTCOME_TOLD,
    outcome: noConversation ? 'unposted' : 'sent',
    // What was done, not what Teams did with it: a card or message Teams refused is logged by
    // the messenger, which never throws, and is not sent again from here.
    detail: followUpFailed ? `${sent}; the follow-up after them failed (logged)` : sent,
    idempotencyKey: outcomeToldKey(request.id),
  };
  try {
    await telling.audit.append(event);
  } catch (err) {
    // Without the mark the net tells the outcome again: the retry job writes it soon instead.
    telling.log.error(
      { err, requestId: request.id },
      'the outcome was told but not recorded; scheduling an audit.retry',
    );
    await telling
      .auditRetry?.(event)
      .catch((retryErr: unknown) =>
        telling.log.error(
          { err: retryErr, requestId: request.id },
          'the record of a told outcome could not be scheduled for retry; the outcome may be told again',
        ),
      );
  }
}

/** What the net reads and writes. */
export interface OutcomeNetPorts extends OutcomeTelling {
  store: Pick<RequestStore, 'get' | 'listByState'>;
  audit: Pick<AuditLog, 'append' | 'forRequest'>;
  /** The execution leases (`exec:<id>`), as the executor takes them. */
  exec: { leases: LeaseStore; owner: string; ttlMs: number };
  clock: Clock;
  /**
   * Whether this process runs `requestId` now: its run tells its own outcome, and a lease taken
   * by the same owner would be this run's own (taken again, it would fence the run out).
   */
  runningHere(requestId: string): boolean;
}

/** What a pass that failed for some runs logs (scheduler-sweep-log.ts: the first, then spaced, then "again"). */
const OUTCOME_NET_FAILURE_MESSAGES: SweepFailureMessages = {
  failed:
    'the outcomes of some finished runs could not be checked or told; every resume sweep tries them again, and while it keeps failing this is logged again at most every few minutes',
  stillFailing: 'the outcomes of some finished runs still could not be checked or told',
  succeeded: 'the outcomes of finished runs are checked and told again',
};

/**
 * What a full pass whose listing failed logs (scheduler-sweep-log.ts): a store outage fails the
 * listing at every resume sweep, each of which tries it again until one succeeds.
 */
const OUTCOME_NET_LISTING_MESSAGES: SweepFailureMessages = {
  failed:
    'looking for run outcomes left untold failed; every resume sweep tries again, and while it keeps failing this is logged again at most every few minutes',
  stillFailing: 'looking for run outcomes left untold still failing',
  succeeded: 'looking for run outcomes left untold succeeded: store reachable again',
};

/** The runs one pass failed for, by why ({@link FailedIds}): one line per pass instead of one per run. */
class PassFailures {
  private readonly counts = { trailsUnread: 0, tellingFailed: 0 };
  private readonly ids = new FailedIds();

  /** `id` failed: its trail could not be read, or telling its outcome failed. */
  add(kind: 'trailsUnread' | 'tellingFailed', id: string, err: unknown): void {
    this.counts[kind]++;
    this.ids.add(id, err);
  }

  /** Logs the pass's failures (sparingly), or that a pass went through without any. */
  report(log: SweepFailureLog): void {
    const failed = this.ids.fields();
    if (!failed) log.succeeded();
    else log.failed(failed.err, { failed: failed.count, ...this.counts, requestIds: failed.requestIds });
  }
}

/** Passes of the net on one instance: what the last full pass found, and when it ran. */
export class OutcomeNet {
  private lastFullPass?: number;
  /** Runs found owing their mark but held (or failing): looked at again at every pass. */
  private readonly owed = new Set<string>();
  /** Runs of the lookback seen told: not read again by the next full pass. */
  private seenTold = new Set<string>();

  /**
   * Passes that failed for some runs. A store outage fails every run of every pass, and a pass
   * comes with each resume sweep (every half lease TTL) with all the runs still owed: logged
   * as one line per pass at most, and while passes keep failing at most every few minutes.
   */
  private readonly failureLog: SweepFailureLog;

  /** Full passes whose listing failed: as sparingly, since every resume sweep lists again until one succeeds. */
  private readonly listingLog: SweepFailureLog;

  constructor(private readonly ports: OutcomeNetPorts) {
    const now = () => ports.clock.now().getTime();
    this.failureLog = new SweepFailureLog(ports.log, now, OUTCOME_NET_FAILURE_MESSAGES);
    this.listingLog = new SweepFailureLog(ports.log, now, OUTCOME_NET_LISTING_MESSAGES);
  }

  /**
   * One pass: a full one (the newest {@link OUTCOME_NET_SCAN_LIMIT} ended runs) unless one began
   * less than `atMostEveryMs` ago on this instance, else only the runs the last passes left owed.
   * Returns the ids told. Never throws. A full pass whose listing fails is logged sparingly and
   * does not count as one: the next pass (the next resume sweep) is a full one again, and this one
   * goes on with the runs left owed. A run whose trail cannot be read or whose telling fails is
   * counted in the pass's one line (logged sparingly) and kept for the next pass.
   */
  async pass(options: { atMostEveryMs?: number } = {}): Promise<string[]> {
    const now = this.ports.clock.now().getTime();
    const full = options.atMostEveryMs === undefined || now - (this.lastFullPass ?? -Infinity) >= options.atMostEveryMs;
    let ids = [...this.owed];
    const ended = full ? await this.listEnded() : undefined;
    if (ended) {
      // Only a listing that succeeded waits the hour: a failed one is tried again at the next sweep.
      this.lastFullPass = now;
      // A run's last write is no older than its end: one updated before the lookback ended before it.
      const recent = ended.filter((r) => now - Date.parse(r.updatedAt) <= OUTCOME_NET_LOOKBACK_MS).map((r) => r.id);
      const seen = this.seenTold;
      this.seenTold = new Set(recent.filter((id) => seen.has(id)));
      ids = [...new Set([...ids, ...recent.filter((id) => !seen.has(id))])];
    }
    this.owed.clear();
    const failures = new PassFailures();
    const told: string[] = [];
    for (const id of await this.owing(ids, now, failures)) {
      try {
        const result = await this.tellAgain(id, now);
        if (result === 'told') told.push(id);
        if (result === 'held') this.owed.add(id);
      } catch (err) {
        this.owed.add(id);
        failures.add('tellingFailed', id, err);
      }
    }
    failures.report(this.failureLog);
    return told;
  }

  /** The newest ended runs, or `undefined` when the store failed to list them (logged sparingly). */
  private async listEnded(): Promise<AccessRequest[] | undefined> {
    try {
      const ended = await this.ports.store.listByState(['succeeded', 'failed'], OUTCOME_NET_SCAN_LIMIT, 'newestFirst');
      this.listingLog.succeeded();
      return ended;
    } catch (err) {
      this.listingLog.failed(err);
      return undefined;
    }
  }

  /** Those of `ids` whose run ended within the lookback owing the mark and lacking it (read failures kept owed). */
  private async owing(ids: string[], now: number, failures: PassFailures): Promise<string[]> {
    const owing = await mapAtMost(ids, READS_AT_ONCE, async (id) => {
      try {
        const verdict = await this.markOwed(id, now);
        if (verdict === 'told') this.seenTold.add(id);
        return verdict === 'owed';
      } catch (err) {
        this.owed.add(id);
        failures.add('trailsUnread', id, err);
        return false;
      }
    });
    return ids.filter((_, i) => owing[i]);
  }

  /**
   * `owed` when `id`'s last final entry is of this release (keyed by {@link outcomeEntryKey}),
   * written within the lookback, and there is no {@link OUTCOME_TOLD}; `told` when it has the mark;
   * `none` otherwise (an older run, or one that ended before the mark existed, or one an older
   * release finished after this release's attempt stopped: that release told it, without a mark).
   */
  private async markOwed(id: string, now: number): Promise<'owed' | 'told' | 'none'> {
    const entries = await this.ports.audit.forRequest(id);
    if (entries.some((e) => e.idempotencyKey === outcomeToldKey(id))) return 'told';
    const prefix = outcomeEntryPrefix(id);
    const ended = entries.findLast((e) => e.action === 'request.succeeded' || e.action === 'request.failed');
    return ended?.idempotencyKey?.startsWith(prefix) && now - Date.parse(ended.ts) <= OUTCOME_NET_LOOKBACK_MS
      ? 'owed'
      : 'none';
  }

  /**
   * Tells `id`'s outcome under its execution lease, after reading the request and its trail
   * again (the run, or another instance's pass, may have told it meanwhile). `held`: the lease
   * is another's (a run still telling; the holder of a dead process until it expires), or this
   * process runs it now.
   */
  private async tellAgain(id: string, now: number): Promise<'told' | 'held' | 'none'> {
    const { exec, store, clock, log } = this.ports;
    if (this.ports.runningHere(id)) return 'held';
    const lease = await exec.leases.acquire(executionLeaseKey(id), exec.owner, exec.ttlMs);
    if (!lease) return 'held';
    const guard = new LeaseGuard(exec, lease, log, { requestId: id }, () => clock.now());
    try {
      const current = await store.get(id);
      // Being revoked: the end's notice tells the requester (an outcome now would say "granted").
      if (!current || (current.state !== 'succeeded' && current.state !== 'failed') || isBeingRevoked(current))
        return 'none';
      if ((await this.markOwed(id, now)) !== 'owed') return 'none';
      log.warn(
        { requestId: id, state: current.state },
        'the outcome of this run was saved but not told; the cards and the requester are told now',
      );
      await tellOutcome(this.ports, current);
      return 'told';
    } finally {
      await guard.stop();
    }
  }
}
