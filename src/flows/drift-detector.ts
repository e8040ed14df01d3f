/**
 * Drift: an acrbot grant deleted or changed outside acrbot (portal, CLI, another automation).
 * The `drift.check` job (and `access`/`check`, which see the same) records it on the request as
 * `access.driftDetectedAt`, audits it, and updates the request's cards ("removed outside acrbot
 * on …"). acrbot never re-creates the assignment: someone removed it on purpose, or knows why.
 *
 * Only acrbot's own records are compared (G15): requests that succeeded, whose role assignment
 * id the store recorded (see `createdAssignmentId`), not revoked, not already marked. Grants
 * whose end has passed, or whose `access.expire` job is due (a revoke in progress), are left to
 * the lifecycle's revocation, which may be deleting them right now. ARM cost of a sweep: one
 * `assignedTo()` list per distinct (identity, registry) among the live grants, read on the
 * registry: docs/deploy.md gives acrbot Reader there and nothing at subscription scope.
 */
import { createdAssignmentId, findDrift, type DriftFinding } from '../domain/access-inventory';
import { ResourceGoneError } from '../domain/errors';
import type { AuditLog, Clock, RequestStore, ScheduleStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';
import { INVENTORY_REQUEST_LIMIT } from './access-inventory';
import { accessExpiryJobId } from './access-lifecycle';
import type { PlanningReads } from './grant-planner';
import type { RequestNotifier } from './notifier';

/** The id of the one recurring drift job (the scheduler runs it on one instance at a time). */
export const DRIFT_JOB_ID = 'drift.check';

/** Who noticed: the sweeper, or a person's `access`/`check`. */
export type DriftNoticedBy = 'sweeper' | 'access' | 'check';

/** Finds and records drift. */
export class DriftDetector {
  constructor(
    private readonly ports: {
      requests: RequestStore;
      audit: AuditLog;
      roleAssignments: Pick<PlanningReads, 'listAssignedToAt'>;
      /** To see a revocation in flight (its `access.expire` job is due). */
      schedule: ScheduleStore;
      clock: Clock;
    },
    private readonly notifier: RequestNotifier,
    private readonly log: Logger,
    /** Time between runs of the `drift.check` job (ACRBOT_DRIFT_INTERVAL). */
    private readonly intervalMs: number,
  ) {}

  /** When the next `drift.check` run is due. */
  nextRunAt(): Date {
    return new Date(this.ports.clock.now().getTime() + this.intervalMs);
  }

  /** Checks every live acrbot grant against Azure; returns the requests newly marked. */
  async sweep(): Promise<AccessRequest[]> {
    const now = this.ports.clock.now();
    const live = (await this.ports.requests.listByState(['succeeded'], INVENTORY_REQUEST_LIMIT)).filter(
      (r) => r.plan.kind === 'grant' && watchable(r, now),
    );
    const groups = new Map<string, { registry: string; identity: string; requests: AccessRequest[] }>();
    for (const r of live) {
      if (r.plan.kind !== 'grant') continue;
      const registry = r.plan.registry.id;
      const identity = r.plan.identity.objectId;
      const key = `${registry}|${identity}`.toLowerCase();
      const group = groups.get(key) ?? { registry, identity, requests: [] };
      group.requests.push(r);
      groups.set(key, group);
    }
    const marked: AccessRequest[] = [];
    const failed: { registry: string; identity: string; err: unknown }[] = [];
    const unrecorded: unknown[] = [];
    for (const g of groups.values()) {
      // One pair that keeps failing (acrbot lost Reader there, the registry moved) must not hide
      // drift everywhere else: the others are checked, then the run fails naming it, so the job
      // is retried and reported as failing (scheduler.ts).
      const assignments = await this.assignmentsOn(g.registry, g.identity).catch((err: unknown) => {
        failed.push({ registry: g.registry, identity: g.identity, err });
        return undefined;
      });
      if (!assignments) continue;
      // Drift found but not recorded (the store or the audit log failed): its own error, so the
      // report sends nobody to look at acrbot's rights on a registry it could read.
      try {
        marked.push(...(await this.record(findDrift(g.identity, assignments, g.requests), 'sweeper')));
      } catch (err) {
        unrecorded.push(err);
      }
    }
    const problems = [...(failed.length ? [sweepFailure(failed, groups.size)] : []), ...unrecorded];
    if (problems.length === 1) throw problems[0];
    if (problems.length)
      throw new AggregateError(problems, problems.map((p) => (p instanceof Error ? p.message : String(p))).join('; '));
    return marked;
  }

  /** Whether a live grant's assignment is still missing or changed, as read on its registry. */
  private async stillDrifted(request: AccessRequest): Promise<boolean> {
    if (request.plan.kind !== 'grant') return false;
    const identity = request.plan.identity.objectId;
    const assignments = await this.assignmentsOn(request.plan.registry.id, identity);
    return findDrift(identity, assignments, [request]).some((f) => f.requestId === request.id);
  }

  /**
   * The identity's assignments at, above or below the registry. A registry that is gone took its
   * assignments with it: none (acrbot's grant was removed outside acrbot).
   */
  private async assignmentsOn(registry: string, identity: string) {
    try {
      return await this.ports.roleAssignments.listAssignedToAt(registry, identity);
    } catch (err) {
      if (err instanceof ResourceGoneError) return [];
      throw err;
    }
  }

  /**
   * Marks each finding's request (conditional write: exactly one instance wins) and audits it;
   * the winner only. Returns the requests it marked. An audit failure un-marks the request and
   * throws, so the next sweep tries again (a drift is never recorded without its audit entry).
   * The entry is keyed by the request ({@link driftAuditKey}): an append reported failed may have
   * been stored all the same (the store's answer lost), and the next sweep's append then finds it
   * instead of reporting the same drift a second time.
   */
  async record(findings: DriftFinding[], noticedBy: DriftNoticedBy): Promise<AccessRequest[]> {
    const marked: AccessRequest[] = [];
    for (const finding of findings) {
      const now = this.ports.clock.now();
      const current = await this.ports.requests.get(finding.requestId);
      if (!current || !watchable(current, now)) continue;
      // A revoke in progress deletes the assignment before it marks the request revoked: not drift.
      const expiry = await this.ports.schedule.get(accessExpiryJobId(current.id));
      if (expiry && Date.parse(expiry.dueAt) <= now.getTime()) continue;
      // What `access` and `check` saw comes from subscription-wide listings, where the deployment
      // gives acrbot no right (docs/deploy.md) and an answer may leave out what it may not read:
      // confirmed on the registry, as the sweeper looks, before anything is recorded.
      if (noticedBy !== 'sweeper' && !(await this.stillDrifted(current))) continue;
      const next: AccessRequest = {
        ...current,
        version: current.version + 1,
        updatedAt: now.toISOString(),
        access: { ...current.access, driftDetectedAt: now.toISOString() },
      };
      try {
        await this.ports.requests.update(next);
      } catch (err) {
        if (err instanceof VersionConflictError) continue; // someone else moved it; the next sweep looks again
        throw err;
      }
      try {
        await this.ports.audit.append({
          actor: ACRBOT_ACTOR,
          tenantId: current.tenantId,
          action: 'access.drift',
          idempotencyKey: driftAuditKey(current.id),
          requestId: current.id,
          targetIds: [finding.assignmentId],
          outcome: finding.kind,
          detail: `${finding.detail}; noticed by ${noticedBy}; acrbot does not re-create it`,
        });
      } catch (err) {
        await this.ports.requests
          .update({ ...current, version: next.version + 1, updatedAt: now.toISOString() })
          .catch((undo: unknown) =>
            this.log.error({ err: undo, requestId: current.id }, 'undoing a drift mark failed'),
          );
        throw new Error(`could not audit drift of ${current.id}`, { cause: err });
      }
      marked.push(next);
      await this.notifier
        .requestChanged(next, { markOnly: true })
        .catch((err: unknown) => this.log.error({ err, requestId: next.id }, 'updating cards after drift failed'));
    }
    return marked;
  }
}

/**
 * The error of a sweep in which some (registry, identity) pairs could not be checked: each named
 * with its status and code (never a request or a token), the first failure as the cause.
 */
function sweepFailure(failed: readonly { registry: string; identity: string; err: unknown }[], pairs: number): Error {
  const what = failed.map(({ registry, identity, err }) => {
    const { statusCode, code } = (err ?? {}) as { statusCode?: unknown; code?: unknown };
    const why = [statusCode, code].filter((v) => typeof v === 'number' || typeof v === 'string').join(' ');
    return `identity ${identity} on registry ${registry}: ${why || (err instanceof Error ? err.name : 'failed')}`;
  });
  return new Error(
    `drift check could not list the role assignments of ${failed.length} of ${pairs} identity and registry pairs (the others were checked): ${what.join('; ')}`,
    { cause: failed[0].err },
  );
}

/**
 * The idempotency key of a request's `access.drift` entry. One per request: a request is marked
 * once and the mark never comes off (see {@link watchable}), so it has one drift to report. Were
 * marks ever cleared, a later drift would need a key of its own.
 */
function driftAuditKey(requestId: string): string {
  return `access.drift:${requestId}`;
}

/** A live acrbot grant the drift check watches. */
function watchable(r: AccessRequest, now: Date): boolean {
  // A revocation that began deletes the assignment itself (its retry finishes it): not drift.
  if (r.state !== 'succeeded' || r.access?.driftDetectedAt || r.access?.revokedAt || r.access?.revokingSince)
    return false;
  // At or past its end the lifecycle revokes it (deleting the assignment): not drift.
  if (r.access?.expiresAt && Date.parse(r.access.expiresAt) <= now.getTime()) return false;
  return createdAssignmentId(r) !== undefined;
}
