/**
 * The safety net for ends (G17): an active grant or secret ends only through its `access.expire`
 * job, so one whose job row is gone (a store restored from an older backup, a row deleted by
 * someone who can write the store, a bug) would hold for ever. At start and with every
 * `drift.check` run, each such request gets its end job back — due at its end, or now when that
 * has passed or a revocation had begun — audited `access.end.rescheduled` and counted in a warning.
 * So does a failed grant whose PUT answer was lost (`azure.writeUnconfirmed`): its end job deletes
 * what Azure may have made, and without it the assignment could stay for ever. Its record never
 * changes after the failure, so the audit says whether that clean-up finished; the job comes back
 * due now only when it did not. So does a secret request whose secret an active later request
 * replaced (the later one's outcome says `replaced` and its write names it): that run retired its
 * credential at once, and only the run's follow-up ends it, so a process that died between the
 * run's final write and that follow-up would leave it active, without a credential, for ever.
 * It ends as the follow-up ends it (AccessLifecycle.scheduleEndOfReplaced: revoked at once, audited,
 * its requester told).
 *
 * Only acrbot's own store decides (G15): the request's recorded term, never anything read in
 * Azure. An end job that exists is never written (its due time, a revoke it carries, its
 * attempts stay); the job the net writes is a wake-up only, as every end job is: the run reads the
 * request again and revokes nothing early (AccessLifecycle.onExpire).
 */
import { randomUUID } from 'node:crypto';
import { mapAtMost } from '../domain/bounded-map';
import type { AuditLog, Clock, LeaseStore, RequestStore } from '../domain/ports';
import { ACRBOT_ACTOR, type AccessRequest, isBeingRevoked } from '../domain/request';
import { replacedByStartedWrite } from '../domain/secret-ownership';
import type { Logger } from '../observability/logger';
import type { JobScheduling } from './request-jobs';
import type { JobSpec } from './scheduler';

/**
 * Most active requests one pass reads, oldest first (`listByState`, the store's index by state,
 * as the break-glass review net reads): the drift check beside it reads as many on each run.
 * Past that many active requests a lost end is found late, not never: a request stays active
 * while its end job is lost, and every time-boxed request older than it ends within its own
 * term, so it moves into the oldest this many — unless this many permanent or pre-time-boxing
 * grants are older than it.
 */
export const LOST_END_SCAN_LIMIT = 10_000;

/** End jobs read at once: a Tables store answers each in a round trip, so not one at a time, nor all. */
const JOB_READS_AT_ONCE = 20;

/**
 * How long one pass holds the lease `access.end.net`: longer than a pass over
 * {@link LOST_END_SCAN_LIMIT} requests takes. A pass that outlives it (or an instance that dies
 * holding it) only lets a second pass run beside it, which writes the same jobs.
 */
const LOST_END_LEASE_TTL_MS = 5 * 60_000;

/**
 * How often the drift check's pass runs at most, across instances: the pass reads an end job
 * per active time-boxed request (10,000 reads on a large Tables store), and the drift check runs
 * every ACRBOT_DRIFT_INTERVAL (15 minutes by default). A lost end job is rare; finding it within
 * hours of its loss (before its end, or a few hours after) is what the net is for. A start's pass
 * always runs.
 */
export const LOST_END_RECHECK_MS = 6 * 3_600_000;

/** The lease whose holding says a pass ran less than its TTL ago (never released once the pass succeeded). */
const RECENT_PASS_LEASE = 'access.end.net.recent';

/** What the net reads and writes. */
export interface LostEndPorts {
  requests: RequestStore;
  audit: AuditLog;
  /**
   * `scheduleIfAbsent` (the Scheduler's) writes an end job only while none is there, so a revoke
   * confirmed after the job was last read stays (never a read, then a write).
   */
  jobs: Pick<JobScheduling, 'get' | 'scheduleIfAbsent'>;
  clock: Clock;
  log: Logger;
  /** The id of a request's end job: `accessExpiryJobId` (given, as access-lifecycle.ts imports this file). */
  endJobId(requestId: string): string;
  /**
   * One pass at a time across instances (the lease `access.end.net`): a fleet started at once
   * reads the store once, not once per instance, and audits each lost end once. Absent: no lease.
   */
  leases?: { store: LeaseStore; owner: string };
  /** Most requests one read takes (default {@link LOST_END_SCAN_LIMIT}; tests use a small one). */
  scanLimit?: number;
  /**
   * A failed request whose end job must still delete what Azure may have made (a grant whose
   * PUT answer was lost: `isUnconfirmedGrant` in unconfirmed-grant-cleanup.ts). Absent: none looked for.
   */
  awaitsCleanUp?(request: AccessRequest): boolean;
  /**
   * Ends the request whose secret `replacing` (an active secret request that replaced another's
   * secret) took over, when it is still active and not ending: its revoke audited and its job
   * written, due now. Resolves the id of the request it ends, undefined when none; throws when
   * the entry or the job could not be stored. Absent: replacements are not looked at.
   */
  endReplaced?(replacing: AccessRequest): Promise<string | undefined>;
}

/** The end an active request's job must have, or undefined when it has none (permanent, pre-time-boxing, ended). */
function endOf(request: AccessRequest): string | undefined {
  const term = request.access;
  if (request.state !== 'succeeded' || !term?.expiresAt || term.permanent || term.revokedAt) return undefined;
  return term.expiresAt;
}

/**
 * Schedules the end job of every active request that has an end and no end job, and the revoke
 * of every active one whose secret an active later request replaced; returns the ids of those it
 * scheduled (none when another pass holds the lease). Store cost of a pass:
 * one `listByState(['succeeded'])` of at most {@link LOST_END_SCAN_LIMIT} requests (on Tables, as
 * many index rows and point reads), one point read of the end job per time-boxed request among
 * them ({@link JOB_READS_AT_ONCE} at a time), and for each lost one a fresh read of the request,
 * an audit entry and the job; for each active request whose secret an active later one replaced,
 * its fresh read (and its original's, for an extension), its end job, an audit entry and the job.
 * A request whose writes fail is logged and the others go on; the pass
 * then throws, so a `drift.check` run is retried and reported. `atMostEveryMs` (the drift
 * check's: {@link LOST_END_RECHECK_MS}): nothing is done when a pass that succeeded began less
 * than that long ago on any instance (the lease `access.end.net.recent`).
 */
export async function scheduleLostEnds(
  ports: LostEndPorts,
  options: { atMostEveryMs?: number } = {},
): Promise<string[]> {
  // A pass that ran less than `atMostEveryMs` ago, on any instance, holds this lease still.
  const recent =
    ports.leases && options.atMostEveryMs
      ? await ports.leases.store.acquire(
          RECENT_PASS_LEASE,
          `${ports.leases.owner}#${randomUUID()}`,
          options.atMostEveryMs,
        )
      : undefined;
  if (ports.leases && options.atMostEveryMs && !recent) return [];
  try {
    return await onePass(ports);
  } catch (err) {
    // A failed pass does not count: the drift check's retry runs it again.
    if (recent)
      await ports
        .leases!.store.release(recent)
        .catch((releaseErr: unknown) =>
          ports.log.warn(
            { err: releaseErr },
            'releasing the lease of a failed lost end job pass failed; the next pass waits for it to expire',
          ),
        );
    throw err;
  }
}

async function onePass(ports: LostEndPorts): Promise<string[]> {
  // An owner of its own per pass (a lease is re-entrant for its owner): a start's pass and a
  // drift check's on one instance exclude each other too.
  const lease = ports.leases
    ? await ports.leases.store.acquire('access.end.net', `${ports.leases.owner}#${randomUUID()}`, LOST_END_LEASE_TTL_MS)
    : undefined;
  if (ports.leases && !lease) {
    ports.log.debug(
      'another pass (on this or another instance) is looking for lost end jobs; this one leaves it to that one',
    );
    return [];
  }
  try {
    return await findAndSchedule(ports);
  } finally {
    if (lease)
      await ports.leases!.store.release(lease).catch((err: unknown) =>
        // It expires by itself: the next pass only waits for that.
        ports.log.warn({ err }, 'releasing the lease of the lost end job pass failed; it expires by itself'),
      );
  }
}

async function findAndSchedule(ports: LostEndPorts): Promise<string[]> {
  const limit = ports.scanLimit ?? LOST_END_SCAN_LIMIT;
  const listed = await ports.requests.listByState(['succeeded'], limit);
  if (listed.length >= limit)
    ports.log.warn(
      { state: 'succeeded', read: listed.length },
      `the lost end job pass read only the oldest ${limit} active requests: a lost end among newer ones is found once older ones end`,
    );
  const active = listed.filter((r) => endOf(r));
  const jobs = await mapAtMost(active, JOB_READS_AT_ONCE, (r) => ports.jobs.get(ports.endJobId(r.id)));
  const lost: AccessRequest[] = active.filter((_, k) => !jobs[k]);
  const scheduled: string[] = [];
  const failed: unknown[] = [];
  for (const request of lost) {
    try {
      if (await scheduleAgain(ports, request.id)) scheduled.push(request.id);
    } catch (err) {
      ports.log.error({ err, requestId: request.id }, 'the lost end job of an active request could not be scheduled');
      failed.push(err);
    }
  }
  if (scheduled.length)
    ports.log.warn(
      { ends: scheduled.length, requestIds: scheduled.slice(0, 20) },
      'scheduled missing access end jobs (access.expire) of active requests',
    );
  const ended = await endLostReplacements(ports, listed);
  scheduled.push(...ended.ids);
  failed.push(...ended.failed);
  const cleanUps = await lostCleanUps(ports);
  for (const request of cleanUps) {
    try {
      if (await scheduleCleanUpAgain(ports, request.id)) scheduled.push(request.id);
    } catch (err) {
      ports.log.error(
        { err, requestId: request.id },
        'the lost clean-up job of an unconfirmed grant could not be scheduled',
      );
      failed.push(err);
    }
  }
  if (failed.length)
    throw new AggregateError(
      failed,
      `${failed.length} of ${lost.length + ended.tried + cleanUps.length} lost end jobs could not be scheduled again`,
    );
  return scheduled;
}

/**
 * Ends every request whose secret a later request among `active` (the pass's read of succeeded
 * requests, no other read) replaced, while that replaced request is among `active` too: the
 * replacing request's run retired its credential, and its follow-up, which ends it, may have
 * been lost to a crash. Not an extension: it rotates the access it extends, which goes on. The
 * replaced request is the older, so within the oldest {@link LOST_END_SCAN_LIMIT} when the
 * replacing one is. Once it ended (revoked, its extensions with it) it is no longer active, so a
 * later pass reads nothing more for it; until then each pass reads it and its end job again
 * (`endReplaced` writes nothing while that job carries the revoke).
 */
async function endLostReplacements(
  ports: LostEndPorts,
  active: AccessRequest[],
): Promise<{ ids: string[]; failed: unknown[]; tried: number }> {
  if (!ports.endReplaced) return { ids: [], failed: [], tried: 0 };
  const activeIds = new Set(active.map((r) => r.id));
  const replacing = active.filter((r) => {
    if (r.plan.kind !== 'secret' || r.extendsRequestId || r.outcome?.secret?.action !== 'replaced') return false;
    const replacedId = replacedByStartedWrite(r)?.requestId;
    return replacedId !== undefined && activeIds.has(replacedId);
  });
  const ids: string[] = [];
  const failed: unknown[] = [];
  for (const request of replacing) {
    try {
      const id = await ports.endReplaced(request);
      if (id) ids.push(id);
    } catch (err) {
      ports.log.error(
        { err, requestId: replacedByStartedWrite(request)?.requestId, replacedBy: request.id },
        'the request whose secret a later request replaced could not be ended',
      );
      failed.push(err);
    }
  }
  if (ids.length)
    ports.log.warn(
      { ends: ids.length, requestIds: ids.slice(0, 20) },
      'ended active requests whose secret a later request replaced (the run that replaced it stopped before it ended them)',
    );
  return { ids, failed, tried: replacing.length };
}

/**
 * The actions of a clean-up that finished: `revokeGrant` writes exactly one of these for the
 * assignment (deleted, deleted by an attempt cut short, gone, kept for another holder, not
 * acrbot's), then the job is removed. Its `deleting` mark is not one: the DELETE after it may not
 * have run. A failed request never changes again, so these entries, not its record, say it was
 * cleaned up.
 */
const CLEANED_UP = new Set(['deleted', 'alreadyDeleted', 'absent', 'kept', 'notOurs']);

/**
 * Failed requests still owing the clean-up of what Azure may have made whose end job is gone
 * (a lost row, or a permanent grant whose job could not be written as it failed): neither a
 * job nor an audit entry of a finished clean-up. Store cost: one `listByState(['failed'])` of at
 * most {@link LOST_END_SCAN_LIMIT}, newest first (failed requests only accumulate: read oldest
 * first, past that many a new one was never seen; a cut is logged), then for the rare requests
 * that owe one, a job read and, when it is missing, their audit entries.
 */
async function lostCleanUps(ports: LostEndPorts): Promise<AccessRequest[]> {
  if (!ports.awaitsCleanUp) return [];
  const limit = ports.scanLimit ?? LOST_END_SCAN_LIMIT;
  const failed = await ports.requests.listByState(['failed'], limit, 'newestFirst');
  if (failed.length >= limit)
    ports.log.warn(
      { state: 'failed', read: failed.length },
      `the lost end job pass read only the newest ${limit} failed requests: an older one owing its clean-up is not looked at`,
    );
  const owing = failed.filter((r) => ports.awaitsCleanUp!(r));
  const lost: AccessRequest[] = [];
  for (const request of owing) {
    if (await ports.jobs.get(ports.endJobId(request.id))) continue;
    const entries = await ports.audit.forRequest(request.id);
    const done = entries.some((e) => e.action === 'access.revoke.roleAssignment' && CLEANED_UP.has(e.outcome));
    if (!done) lost.push(request);
  }
  return lost;
}

/**
 * Writes the clean-up job of failed request `requestId` again, due now, audited first (G11).
 * False when the request, read afresh, owes none.
 */
async function scheduleCleanUpAgain(ports: LostEndPorts, requestId: string): Promise<boolean> {
  const request = await ports.requests.get(requestId);
  if (!request || !ports.awaitsCleanUp!(request)) return false;
  const dueAt = ports.clock.now();
  const written = await writeEndJob(
    ports,
    request,
    dueAt,
    `the job (${ports.endJobId(request.id)}) that deletes what Azure may have made for this failed grant was missing from the schedule; scheduled again, due ${dueAt.toISOString()}`,
  );
  if (!written) return false;
  ports.log.warn({ requestId: request.id }, 'scheduled the missing clean-up job of an unconfirmed grant');
  return true;
}

/**
 * Writes the end job of `requestId` again, audited first (no change without its entry, G11; a
 * failed write is tried again by the next pass, which finds the job still missing). The request
 * is read afresh: one whose end job ran while the pass read (it is revoked before its job goes)
 * gets none. False when it needs none now, or a job was written since the pass read it.
 */
async function scheduleAgain(ports: LostEndPorts, requestId: string): Promise<boolean> {
  const request = await ports.requests.get(requestId);
  const end = request && endOf(request);
  if (!request || !end) return false;
  const now = ports.clock.now();
  // A revocation that began finishes now (onExpire does, whatever the end); a passed end, now.
  // A job written since the pass read none (a revoke confirmed meanwhile, whose first run was
  // deferred by a grant under way; an end an extension moved) is newer than this and stays:
  // writeEndJob creates the job only where none is.
  const dueAt = isBeingRevoked(request) || Date.parse(end) <= now.getTime() ? now : new Date(end);
  return writeEndJob(
    ports,
    request,
    dueAt,
    `its end job (${ports.endJobId(request.id)}) was missing from the schedule; scheduled again, due ${dueAt.toISOString()}`,
  );
}

/**
 * Audits `access.end.rescheduled` with `detail`, then creates the request's end job due at `dueAt`
 * (no change without its entry, G11) — only where no job is: the pass read the jobs before it
 * wrote any, and a job written since (a confirmed revoke, with who and why) must not be replaced
 * by a plain end. Read again first, so the entry is not written for nothing; a job that appears
 * between that read and the create is kept and audited so (`kept`). True when it was written.
 */
async function writeEndJob(ports: LostEndPorts, request: AccessRequest, dueAt: Date, detail: string): Promise<boolean> {
  const id = ports.endJobId(request.id);
  if (await ports.jobs.get(id)) return false;
  const entry = (outcome: 'scheduled' | 'kept', text: string) =>
    ports.audit.append({
      actor: ACRBOT_ACTOR,
      tenantId: request.tenantId,
      requestId: request.id,
      targetIds: [request.plan.cluster.id, request.plan.registry.id],
      action: 'access.end.rescheduled',
      outcome,
      detail: text,
    });
  await entry('scheduled', detail);
  const job: JobSpec = { id, kind: 'access.expire', dueAt, requestId: request.id };
  if (await ports.jobs.scheduleIfAbsent(job)) return true;
  await entry(
    'kept',
    `its end job (${id}) was written meanwhile (a revoke, or an end moved) after it was found missing; that job was kept and nothing was scheduled`,
  );
  return false;
}
