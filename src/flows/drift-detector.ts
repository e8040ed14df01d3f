/**
 * Drift: an acrbot grant deleted or changed outside acrbot (portal, CLI, another automation), or
 * left intact but no longer giving its cluster pull: the cluster pulls as another identity now,
 * or the registry's role assignment mode ignores the granted role (src/domain/drift-reason.ts).
 * The `drift.check` job (and `access`/`check`, confirmed as the job looks) records it on the
 * request as `access.driftDetectedAt` and `access.driftReason`, audits it, updates the request's
 * cards, and closes the extensions of it still waiting for approval, as an end closes them
 * (close-pending-extensions.ts): extending it is refused now (extend.drifted). acrbot never re-creates the assignment nor grants the new identity or role:
 * someone changed it on purpose, or knows why (G15); a new request does it, decided as any other.
 *
 * Only acrbot's own records are compared (G15): requests that succeeded, whose role assignment
 * id the store recorded (see `createdAssignmentId`), not revoked, not already marked. A mark
 * `identityChanged` or `modeChanged` comes off when a sweep reads the assignment intact and the
 * cluster and registry giving pull again (the change undone: drift-cleared.ts), audited as
 * `access.drift` with outcome `cleared`; `deleted` and `changed` stay (the owner's removal
 * stands, G15), as does any mark whose reads failed or could not tell. Grants
 * whose end has passed, or whose `access.expire` job is due (a revoke in progress), are left to
 * the lifecycle's revocation, which may be deleting them right now. ARM cost of a sweep: one
 * `atScope()` list of each registry named by a live grant ({@link REGISTRIES_AT_ONCE} registries
 * at a time), read on the registry: docs/deploy.md gives acrbot Reader there and nothing at
 * subscription scope; then, for the grants whose assignment is intact, one GET of each distinct
 * cluster and registry they name (their pull identity and mode now). A cluster that is gone (its
 * read answered 404) is not drift: it is noted on the request as `access.clusterGoneAt` (audited
 * `access.clusterGone`, cards updated: its grant gives nothing, and is not offered for extension;
 * its extensions still waiting for approval are closed, as a drift mark closes them), and the note comes off when a sweep reads a cluster of that name again (a new cluster has a new
 * kubelet identity: the drift check then marks `identityChanged`); the grant ends at its end, as
 * before, its recorded assignment deleted (G15). A read that fails (403, throttling) marks
 * nothing for the grants it concerns (a failed listing is logged once per registry), the other
 * registries are checked and their drift recorded, and then the run fails naming it.
 *
 * A grant made less than {@link LISTING_LAG_GRACE_MS} ago that a listing lacks is not marked
 * `deleted`: ARM's listings lag the PUT (listing-lag.ts), and a `deleted` mark never comes off. A later
 * sweep looks again. Only the absence waits: a changed assignment, cluster or registry is marked
 * at once.
 */
import {
  createdAssignmentId,
  findDrift,
  identityDrift,
  modeDrift,
  type DriftFinding,
} from '../domain/access-inventory';
import type { AuditEvent } from '../domain/audit-chain';
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../domain/azure-model';
import { mapAtMost } from '../domain/bounded-map';
import { hasClearableDrift, pullsAgain } from '../domain/drift-cleared';
import { driftNotDone } from '../domain/drift-reason';
import { ResourceGoneError, UserFacingError } from '../domain/errors';
import { LISTING_LAG_GRACE_MS, listingMayLag } from '../domain/listing-lag';
import type { GrantPlan, ResourceSummary } from '../domain/plan';
import { parseResourceId } from '../domain/resource-id';
import type {
  AuditLog,
  AzureResourceReader,
  Clock,
  RequestStore,
  RoleAssignmentListing,
  ScheduleStore,
} from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';
import { INVENTORY_REQUEST_LIMIT } from './access-inventory';
import { accessExpiryJobId } from './access-jobs';
import { armAnswer } from './azure-failure-text';
import { closePendingExtensions } from './close-pending-extensions';
import { driftClearedEntryKey, driftEntryKey } from './drift-entry-net';
import type { RequestNotifier } from './notifier';

/** The id of the one recurring drift job (the scheduler runs it on one instance at a time). */
export const DRIFT_JOB_ID = 'drift.check';

/** The outcome of the `access.drift` entry of a mark that came off (the others are the drift's reason). */
export const DRIFT_CLEARED = 'cleared';

/**
 * Registries a sweep lists at once: a few, so a sweep over hundreds of registries does not take
 * one round trip each in turn (the scheduler runs no other job of this instance meanwhile), nor
 * throttle the ARM reads of the rest of acrbot.
 */
export const REGISTRIES_AT_ONCE = 4;

/**
 * The role assignment reads of the detector. `listAtOrAbove` lists a registry once for every
 * identity granted on it (what a sweep reads); a reader without it is asked per identity
 * (`listAssignedToAt`), which answers the same for acrbot's assignment (made at the registry, to
 * the identity itself: G9).
 */
export type DriftAssignmentReads = Pick<RoleAssignmentListing, 'listAssignedToAt'> &
  Partial<Pick<RoleAssignmentListing, 'listAtOrAbove'>>;

/**
 * Who noticed: the sweeper, a person's `access`/`check`, or an extension's run, which reads the
 * assignment on the registry as the sweeper does ({@link DriftDetector.assignmentDrift}).
 */
export type DriftNoticedBy = 'sweeper' | 'access' | 'check' | 'extension';

/** Finds and records drift. */
export class DriftDetector {
  constructor(
    private readonly ports: {
      requests: RequestStore;
      audit: AuditLog;
      roleAssignments: DriftAssignmentReads;
      /** The reads the resolver plans with: a cluster's pull identity and a registry's mode now. */
      resources: Pick<AzureResourceReader, 'getCluster' | 'getRegistry'>;
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
    // Marked grants whose assignment stayed intact too: their mark comes off once the change is undone.
    const live = (await this.ports.requests.listByState(['succeeded'], INVENTORY_REQUEST_LIMIT)).filter(
      (r) => r.plan.kind === 'grant' && (watchable(r, now) || clearable(r, now)),
    );
    const byRegistry = new Map<string, RegistryGrants>();
    for (const r of live) {
      if (r.plan.kind !== 'grant') continue;
      const registry = r.plan.registry.id;
      const identity = r.plan.identity.objectId;
      const group = byRegistry.get(registry.toLowerCase()) ?? { registry, identities: new Map() };
      const pair = group.identities.get(identity.toLowerCase()) ?? { identity, requests: [] };
      pair.requests.push(r);
      group.identities.set(identity.toLowerCase(), pair);
      byRegistry.set(registry.toLowerCase(), group);
    }
    const pairs = [...byRegistry.values()].reduce((n, g) => n + g.identities.size, 0);
    const marked: AccessRequest[] = [];
    const failed: { registry: string; identity: string; err: unknown }[] = [];
    const unrecorded: unknown[] = [];
    // One GET per distinct cluster and registry in this run, however many grants name it.
    const reads = new ResourceReads(this.ports.resources);
    // The item function throws nothing (each failure is collected below), so every registry is checked.
    await mapAtMost([...byRegistry.values()], REGISTRIES_AT_ONCE, async (g) => {
      // One registry that keeps failing (acrbot lost Reader there, the registry moved) must not
      // hide drift everywhere else: the others are checked and recorded, then the run fails
      // naming it, so the job is reported as failing and tried again at its next regular run
      // (composition/scheduler.ts). Nothing is recorded for its grants: their assignments were
      // not read. Logged here once per registry, with Azure's answer whole (the run's error gives
      // only its status and code).
      const assignmentsOf = await this.assignmentsOn(
        g.registry,
        [...g.identities.values()].map((p) => p.identity),
      ).catch((err: unknown) => {
        this.log.error(
          { err, answer: failureWords(err), registry: g.registry, identities: g.identities.size },
          'drift check could not list the role assignments on a registry; its grants were not checked in this run',
        );
        for (const { identity } of g.identities.values()) failed.push({ registry: g.registry, identity, err });
        return undefined;
      });
      if (!assignmentsOf) return;
      for (const { identity, requests } of g.identities.values()) {
        // Drift found but not recorded (the store or the audit log failed): its own error, so the
        // report sends nobody to look at acrbot's rights on a registry it could read.
        try {
          const unmarked = requests.filter((r) => !r.access?.driftDetectedAt);
          const findings = findDrift(identity, assignmentsOf(identity), unmarked);
          const found = new Set(findings.map((f) => f.requestId));
          // Intact assignments: whether they still give their cluster pull.
          for (const r of unmarked) {
            if (found.has(r.id)) continue;
            const finding = await this.pullDrift(r, reads);
            if (finding) findings.push(finding);
            await this.noteClusterGone(r, reads);
          }
          marked.push(...(await this.record(findings, 'sweeper')));
          for (const r of requests) {
            if (r.access?.driftDetectedAt && (await this.givesPullAgain(r, assignmentsOf(identity), reads)))
              await this.clear(r);
          }
        } catch (err) {
          unrecorded.push(err);
        }
      }
    });
    const problems = [
      ...(failed.length ? [sweepFailure(failed, pairs)] : []),
      ...(reads.failed.length ? [readFailure(reads)] : []),
      ...unrecorded,
    ];
    if (problems.length === 1) throw problems[0];
    // The first problem as the cause: the job's report names it (an ARM answer comes first).
    if (problems.length)
      throw new AggregateError(problems, problems.map((p) => (p instanceof Error ? p.message : String(p))).join('; '), {
        cause: problems[0],
      });
    return marked;
  }

  /**
   * A grant whose assignment is intact but no longer gives its cluster pull: the cluster pulls as
   * another identity now, or the registry's mode ignores the role. Undefined when it still does,
   * and when that cannot be told: the cluster or registry is gone (a gone registry took the
   * assignment with it: `deleted` above), or its read failed (kept in `reads.failed`).
   */
  private async pullDrift(request: AccessRequest, reads: ResourceReads): Promise<DriftFinding | undefined> {
    if (request.plan.kind !== 'grant') return undefined;
    const cluster = await reads.cluster(request.plan.cluster);
    const moved = cluster && identityDrift(request, cluster);
    if (moved) return moved;
    const registry = await reads.registry(request.plan.registry);
    return (registry && modeDrift(request, registry)) || undefined;
  }

  /**
   * What the sweeper would find for a live grant now, read as it reads: its assignment on the
   * registry (`deleted`, `changed`), then, when intact, its cluster and registry
   * (`identityChanged`, `modeChanged`). Undefined when it still gives pull, or cannot be told (a
   * cluster or registry gone). A read that fails throws, naming it: nothing is recorded then.
   */
  private async sweeperFinding(request: AccessRequest): Promise<DriftFinding | undefined> {
    if (request.plan.kind !== 'grant') return undefined;
    const identity = request.plan.identity.objectId;
    const assignmentsOf = await this.assignmentsOn(request.plan.registry.id, [identity]);
    const [changed] = findDrift(identity, assignmentsOf(identity), [request]);
    if (changed) return changed;
    const reads = new ResourceReads(this.ports.resources);
    const finding = await this.pullDrift(request, reads);
    if (reads.failed.length) throw readFailure(reads);
    return finding;
  }

  /**
   * One live grant's role assignment now, read as the sweeper reads it (one list of the
   * registry's assignments), for a run about to say its access is still there
   * (an extension, G17) when no sweep has looked yet. Undefined while it is there as recorded (or
   * acrbot recorded none: RoleAssignmentExists); else the request marked `deleted` or `changed`,
   * recorded as the sweep records it. Where it is not recorded (a revocation due, another
   * instance's write, the audit failing: logged; the next sweep tries again) the mark is returned
   * all the same, unstored: the assignment is gone either way. Undefined too for an assignment
   * the listing lacks on a grant made less than {@link LISTING_LAG_GRACE_MS} ago: not listed yet
   * is no proof it is gone. A read that fails throws.
   */
  async assignmentDrift(request: AccessRequest, noticedBy: DriftNoticedBy): Promise<AccessRequest | undefined> {
    if (request.plan.kind !== 'grant') return undefined;
    const identity = request.plan.identity.objectId;
    const assignmentsOf = await this.assignmentsOn(request.plan.registry.id, [identity]);
    const [finding] = findDrift(identity, assignmentsOf(identity), [request]);
    if (!finding || this.notListedYet(finding, request)) return undefined;
    const [marked] = await this.record([finding], noticedBy).catch((err: unknown) => {
      this.log.error({ err, requestId: request.id }, `recording drift noticed by ${noticedBy} failed`);
      return [];
    });
    if (marked) return marked;
    const at = this.ports.clock.now().toISOString();
    return { ...request, access: { ...request.access, driftDetectedAt: at, driftReason: finding.kind } };
  }

  /**
   * A `deleted` finding on a grant made less than {@link LISTING_LAG_GRACE_MS} ago: the listing
   * may not show its new assignment yet (listing-lag.ts), so it is not marked, and a later sweep
   * looks again (logged, so an operator who removed it at once knows why no mark came yet).
   */
  private notListedYet(finding: DriftFinding, request: AccessRequest): boolean {
    if (finding.kind !== 'deleted' || !listingMayLag(request, this.ports.clock.now())) return false;
    this.log.info(
      { requestId: request.id, assignmentId: finding.assignmentId },
      `a grant made less than ${LISTING_LAG_GRACE_MS / 60_000} minutes ago is not in Azure's listing yet; not marked as removed, a later drift check looks again`,
    );
    return true;
  }

  /**
   * The assignments of each of `identities` on `registry`, from one `atScope()` list of the
   * registry (or, without that listing, one list per identity). acrbot's assignment is made at
   * the registry to the identity itself (G9), so the list at or above the registry, kept to the
   * identity's own, holds it exactly when the identity's `assignedTo()` list did. A registry that
   * is gone took its assignments with it: none (acrbot's grant was removed outside acrbot).
   */
  private async assignmentsOn(
    registry: string,
    identities: readonly string[],
  ): Promise<(identity: string) => RoleAssignmentInfo[]> {
    const { listAtOrAbove, listAssignedToAt } = this.ports.roleAssignments;
    try {
      if (listAtOrAbove) {
        const all = await listAtOrAbove.call(this.ports.roleAssignments, registry);
        return (identity) => all.filter((a) => a.principalId.toLowerCase() === identity.toLowerCase());
      }
      const each = new Map<string, RoleAssignmentInfo[]>();
      for (const identity of identities)
        each.set(identity.toLowerCase(), await listAssignedToAt.call(this.ports.roleAssignments, registry, identity));
      return (identity) => each.get(identity.toLowerCase()) ?? [];
    } catch (err) {
      if (err instanceof ResourceGoneError) return () => [];
      throw err;
    }
  }

  /**
   * Marks each finding's request (conditional write: exactly one instance wins) and audits it;
   * the winner only. Returns the requests it marked. An audit failure un-marks the request and
   * throws, so the next sweep tries again (a drift is never recorded without its audit entry).
   * The entry is keyed by the request ({@link driftEntryKey}): an append reported failed may have
   * been stored all the same (the store's answer lost), and the next sweep's append then finds it
   * instead of reporting the same drift a second time. A process killed between the mark and its
   * entry leaves the mark, which this detector never marks again: the net for stored
   * transitions writes the entry (drift-entry-net.ts), under the same key.
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
      // gives acrbot no right (docs/deploy.md) and an answer may leave out what it may not read,
      // and from a cluster read by name: confirmed as the sweeper looks (on the registry, then the
      // cluster and registry by GET) before anything is recorded, and recorded as the sweeper
      // would record it (a grant `access` saw made for an old identity, whose assignment is gone
      // too, is `deleted`, as the sweeper has it).
      // An extension's finding was read on the registry, as the sweeper reads (assignmentDrift).
      const confirmed = noticedBy === 'sweeper' || noticedBy === 'extension';
      const seen = confirmed ? finding : await this.sweeperFinding(current);
      if (!seen || this.notListedYet(seen, current)) continue;
      const next: AccessRequest = {
        ...current,
        version: current.version + 1,
        updatedAt: now.toISOString(),
        access: { ...current.access, driftDetectedAt: now.toISOString(), driftReason: seen.kind },
      };
      const written = await this.writeAudited(
        current,
        next,
        {
          action: 'access.drift',
          idempotencyKey: driftEntryKey(current),
          targetIds: [seen.assignmentId],
          outcome: seen.kind,
          detail: `${seen.detail}; noticed by ${noticedBy}; ${driftNotDone(seen.kind, 'does')}`,
        },
        (undo) => this.log.error({ err: undo, requestId: current.id }, 'undoing a drift mark failed'),
        `could not audit drift of ${current.id}`,
      );
      if (!written) continue; // someone else moved it; the next sweep looks again
      marked.push(next);
      await this.closePendingExtensionsOf(next, 'drifted');
    }
    return marked;
  }

  /**
   * Whether a grant marked `identityChanged` or `modeChanged` gives its cluster pull again: its
   * assignment is in `assignments` as acrbot made it (the listing that `findDrift` reads), and its
   * cluster and registry, read now, pull as its identity and honour its role (drift-cleared.ts).
   * False whenever that is not known: a cluster or registry gone, or a read that failed (kept in
   * `reads.failed`, so the run fails naming it); a mark never comes off on a guess.
   */
  private async givesPullAgain(
    request: AccessRequest,
    assignments: RoleAssignmentInfo[],
    reads: ResourceReads,
  ): Promise<boolean> {
    if (request.plan.kind !== 'grant' || !hasClearableDrift(request)) return false;
    // Compared as an unmarked grant (findDrift looks only at those), without the cluster and
    // registry: any finding is its assignment gone or changed since, and the mark stays.
    const unmarked = { ...request, access: { ...request.access, driftDetectedAt: undefined } };
    if (findDrift(request.plan.identity.objectId, assignments, [unmarked]).length) return false;
    const [cluster, registry] = [
      await reads.cluster(request.plan.cluster),
      await reads.registry(request.plan.registry),
    ];
    return !!cluster && !!registry && pullsAgain(request, cluster, registry);
  }

  /**
   * Takes the drift mark off `seen` (found giving pull again by {@link givesPullAgain}): a conditional
   * write on the version read (exactly one instance clears it; a request that moved meanwhile, a
   * mark already off or replaced, a revocation begun or due, is left for the next sweep), then its
   * `access.drift` entry, outcome `cleared`, keyed by the mark it clears
   * ({@link driftClearedEntryKey}); an append that fails puts the mark back and throws, so the next
   * sweep tries again under the same key. Then the request's cards, as the mark updated them.
   * `access.driftCleared` counts the marks that came off, so a later drift has its own entry.
   */
  private async clear(seen: AccessRequest): Promise<void> {
    const now = this.ports.clock.now();
    const current = await this.ports.requests.get(seen.id);
    if (!current || !clearable(current, now)) return;
    // The mark the sweep judged, not one set again since (another instance cleared and re-marked).
    if (current.access?.driftDetectedAt !== seen.access?.driftDetectedAt) return;
    const expiry = await this.ports.schedule.get(accessExpiryJobId(current.id));
    if (expiry && Date.parse(expiry.dueAt) <= now.getTime()) return;
    const { driftDetectedAt, driftReason, ...access } = current.access!;
    const next: AccessRequest = {
      ...current,
      version: current.version + 1,
      updatedAt: now.toISOString(),
      access: { ...access, driftCleared: (current.access?.driftCleared ?? 0) + 1 },
    };
    const assignmentId = createdAssignmentId(current);
    const written = await this.writeAudited(
      current,
      next,
      {
        action: 'access.drift',
        idempotencyKey: driftClearedEntryKey(current),
        targetIds: assignmentId ? [assignmentId] : [],
        outcome: DRIFT_CLEARED,
        detail: `the ${driftReason} drift seen ${driftDetectedAt} was undone outside acrbot: ${clearedWords(current)}; noticed by sweeper; the mark came off`,
      },
      (undo) => this.log.error({ err: undo, requestId: current.id }, 'putting back a drift mark failed'),
      `could not audit the drift mark of ${current.id} coming off`,
    );
    if (written)
      this.log.info({ requestId: current.id, driftReason }, 'a drift mark came off: the grant gives pull again');
  }

  /**
   * Notes `seen`'s cluster gone (`access.clusterGoneAt`) when this sweep read it and ARM answered
   * that it no longer exists, or takes the note off when it read one of that name again; nothing
   * when the read failed (kept in `reads.failed`) or the note already says so. As a drift mark: a
   * conditional write on the version read (exactly one instance writes it; a request that moved,
   * drifted or began its revocation meanwhile is left for the next sweep), then its
   * `access.clusterGone` entry, keyed by the note ({@link clusterGoneEntryKey}), whose failure
   * puts the request back and throws; then the request's cards, and, for a note written, the
   * close of the grant's extensions still waiting for approval (approving one is refused now:
   * approval.refused.clusterGone), each requester told why in the note's words.
   */
  private async noteClusterGone(seen: AccessRequest, reads: ResourceReads): Promise<void> {
    if (seen.plan.kind !== 'grant') return;
    const gone = await reads.clusterGone(seen.plan.cluster);
    if (gone === undefined || gone === !!seen.access?.clusterGoneAt) return;
    const now = this.ports.clock.now();
    const current = await this.ports.requests.get(seen.id);
    if (!current || !watchable(current, now) || current.access?.clusterGoneAt !== seen.access?.clusterGoneAt) return;
    const expiry = await this.ports.schedule.get(accessExpiryJobId(current.id));
    if (expiry && Date.parse(expiry.dueAt) <= now.getTime()) return;
    const { clusterGoneAt, ...access } = current.access!;
    const next: AccessRequest = {
      ...current,
      version: current.version + 1,
      updatedAt: now.toISOString(),
      access: gone
        ? { ...access, clusterGoneAt: now.toISOString() }
        : { ...access, clusterGoneCleared: (access.clusterGoneCleared ?? 0) + 1 },
    };
    const assignmentId = createdAssignmentId(current);
    const cluster = seen.plan.cluster.name;
    const written = await this.writeAudited(
      current,
      next,
      {
        action: 'access.clusterGone',
        idempotencyKey: gone ? clusterGoneEntryKey(current) : `${clusterGoneEntryKey(current)}:cleared`,
        targetIds: assignmentId ? [assignmentId] : [],
        outcome: gone ? 'noted' : 'cleared',
        detail: gone
          ? `cluster ${cluster} no longer exists (ARM answered 404), and its kubelet identity with it: this grant gives nothing; noticed by sweeper; acrbot deletes its role assignment at the grant's end`
          : `a cluster named ${cluster} exists again (the note of ${clusterGoneAt} came off); noticed by sweeper; the drift check judges whether the grant gives it pull`,
      },
      (undo) => this.log.error({ err: undo, requestId: current.id }, 'undoing a cluster-gone note failed'),
      `could not audit the cluster-gone note of ${current.id}`,
    );
    // Approving an extension of it is refused now (approval.refused.clusterGone): closed, as a drift mark closes them.
    if (written && gone) await this.closePendingExtensionsOf(next, 'clusterGone');
  }

  /**
   * Writes `next` over `current` as a conditional write on the version read, then appends `entry`
   * for it (acrbot's, on `current`'s tenant and request); an append that fails puts `current`
   * back (`undoFailed` logs it when that fails too) and throws `failure`, so the next sweep tries
   * again under the entry's key. Then the request's cards, as a mark updates them. False, with
   * nothing written, when another instance moved the request first.
   */
  private async writeAudited(
    current: AccessRequest,
    next: AccessRequest,
    entry: Pick<AuditEvent, 'action' | 'idempotencyKey' | 'targetIds' | 'outcome' | 'detail'>,
    undoFailed: (err: unknown) => void,
    failure: string,
  ): Promise<boolean> {
    try {
      await this.ports.requests.update(next);
    } catch (err) {
      if (err instanceof VersionConflictError) return false;
      throw err;
    }
    try {
      await this.ports.audit.append({
        actor: ACRBOT_ACTOR,
        tenantId: current.tenantId,
        requestId: current.id,
        ...entry,
      });
    } catch (err) {
      await this.ports.requests
        .update({ ...current, version: next.version + 1, updatedAt: next.updatedAt })
        .catch(undoFailed);
      throw new Error(failure, { cause: err });
    }
    await this.notifier
      .requestChanged(next, { markOnly: true })
      .catch((err: unknown) => this.log.error({ err, requestId: next.id }, 'updating cards after drift failed'));
    return true;
  }

  /**
   * Closes the extensions of `drifted` still waiting for approval, as an end does: approving one
   * could only fail (its run refuses a drifted original, extend.drifted; an Approve of one whose
   * cluster is gone is refused, approval.refused.clusterGone), and waiting out its own deadline it
   * keeps asking approvers about access that no longer gives pull. Each expires audited, its
   * requester told (Closed without a decision: after a drift with a new grant's command, after a
   * cluster-gone note in the note's words) and every copy of its card updated; a failure is
   * logged there, never the drift's nor the note's (recorded by now). One left pending after a
   * drift is closed by its own expiry, which records the drift too; one left pending after a
   * cluster-gone note is refused at Approve and closes at its own deadline.
   */
  private async closePendingExtensionsOf(drifted: AccessRequest, because: 'drifted' | 'clusterGone'): Promise<void> {
    const { requests: store, audit, clock } = this.ports;
    const jobs = { cancel: (id: string) => this.ports.schedule.delete(id) };
    await closePendingExtensions(
      { store, audit, clock, jobs, cards: this.notifier, log: this.log },
      drifted,
      [],
      because,
    );
  }
}

/**
 * The error of a sweep in which some (registry, identity) pairs could not be checked (their
 * registry's listing failed): each named with its status and code (never a request or a token),
 * the first failure as the cause, through {@link armAnswers} when ARM answered it.
 */
function sweepFailure(failed: readonly { registry: string; identity: string; err: unknown }[], pairs: number): Error {
  const what = failed.map(
    ({ registry, identity, err }) => `identity ${identity} on registry ${registry}: ${failureWords(err)}`,
  );
  // One listing per registry: its failure is named once in the report, however many identities it held.
  const registries = new Map(failed.map(({ registry, err }) => [registry.toLowerCase(), { registry, err }]));
  const answered = armAnswers(
    [...registries.values()].map(({ registry, err }) => ({
      what: `the role assignments on registry ${resourceName(registry)}`,
      err,
    })),
  );
  return new Error(
    `drift check could not list the role assignments of ${failed.length} of ${pairs} identity and registry pairs (the others were checked): ${what.join('; ')}`,
    { cause: answered ?? failed[0].err },
  );
}

/** Most failures {@link armAnswers} names one by one; the log line of each names them all. */
const ANSWERS_NAMED = 3;

/**
 * What the report of a failing drift run says (scheduler's answerForApprovers reads the cause
 * chain for a UserFacingError): ARM's status and code for each read it answered
 * (`ARM answered 403 AuthorizationFailed for the role assignments on registry contosoacr`), which
 * an operator can act on (a 403 is acrbot's Reader gone there); never ARM's message. Undefined
 * when ARM answered none of them: a failure without an answer (a bug, the network) stays an
 * unexpected error with the run's reference. The first failure is the cause.
 */
function armAnswers(failures: readonly { what: string; err: unknown }[]): UserFacingError | undefined {
  const answered = failures.flatMap(({ what, err }) => {
    const answer = armAnswer(err);
    return answer ? [`${answer} for ${what}`] : [];
  });
  if (answered.length === 0) return undefined;
  const more = failures.length - Math.min(answered.length, ANSWERS_NAMED);
  const rest =
    more > 1
      ? `; ${more} more reads failed (acrbot's log names them)`
      : more === 1
        ? "; 1 more read failed (acrbot's log names it)"
        : '';
  return new UserFacingError('drift.readFailed', `${answered.slice(0, ANSWERS_NAMED).join('; ')}${rest}`, {
    cause: failures[0].err,
  });
}

/** A resource's name, from its id (the id itself when it is not one). */
function resourceName(id: string): string {
  return parseResourceId(id)?.name ?? id;
}

/** The live grants on one registry, by identity. */
interface RegistryGrants {
  registry: string;
  identities: Map<string, { identity: string; requests: AccessRequest[] }>;
}

/**
 * The clusters and registries one sweep reads, each once (by id, any case): found, gone
 * (undefined: not drift) or failed (recorded in {@link failed}, also undefined, so the run
 * fails naming it after checking everything else).
 */
class ResourceReads {
  readonly failed: { what: 'cluster' | 'registry'; id: string; err: unknown }[] = [];
  private readonly seen = new Map<string, Promise<ClusterInfo | RegistryInfo | undefined>>();
  /** Distinct clusters and registries asked for. */
  get count(): number {
    return this.seen.size;
  }

  constructor(private readonly reader: Pick<AzureResourceReader, 'getCluster' | 'getRegistry'>) {}

  cluster(c: ResourceSummary): Promise<ClusterInfo | undefined> {
    return this.once('cluster', c, () => this.reader.getCluster(c.subscriptionId, c.resourceGroup, c.name)) as Promise<
      ClusterInfo | undefined
    >;
  }

  /**
   * Whether ARM answered that cluster `c` no longer exists (true), or read it (false); undefined
   * when its read failed: a gone cluster is never concluded from a failure.
   */
  async clusterGone(c: ResourceSummary): Promise<boolean | undefined> {
    const found = await this.cluster(c);
    if (found) return false;
    const failed = this.failed.some((f) => f.what === 'cluster' && f.id.toLowerCase() === c.id.toLowerCase());
    return failed ? undefined : true;
  }

  registry(r: GrantPlan['registry']): Promise<RegistryInfo | undefined> {
    return this.once('registry', r, () =>
      this.reader.getRegistry(r.subscriptionId, r.resourceGroup, r.name),
    ) as Promise<RegistryInfo | undefined>;
  }

  private once(
    what: 'cluster' | 'registry',
    resource: ResourceSummary,
    read: () => Promise<ClusterInfo | RegistryInfo | undefined>,
  ): Promise<ClusterInfo | RegistryInfo | undefined> {
    const key = `${what}|${resource.id.toLowerCase()}`;
    let pending = this.seen.get(key);
    if (!pending) {
      pending = read().catch((err: unknown) => {
        this.failed.push({ what, id: resource.id, err });
        return undefined;
      });
      this.seen.set(key, pending);
    }
    return pending;
  }
}

/** The error of a sweep in which some clusters or registries could not be read: each named with its status and code. */
function readFailure(reads: ResourceReads): Error {
  const what = reads.failed.map(({ what, id, err }) => `${what} ${id}: ${failureWords(err)}`);
  const answered = armAnswers(reads.failed.map(({ what, id, err }) => ({ what: `${what} ${resourceName(id)}`, err })));
  return new Error(
    `drift check could not read ${reads.failed.length} of ${reads.count} clusters and registries, so whether the grants naming them still give pull is not known; nothing was marked for them (the others were checked): ${what.join('; ')}`,
    { cause: answered ?? reads.failed[0].err },
  );
}

/** An ARM failure as status and code (never a body, a request or a token). */
function failureWords(err: unknown): string {
  const { statusCode, code } = (err ?? {}) as { statusCode?: unknown; code?: unknown };
  const why = [statusCode, code].filter((v) => typeof v === 'number' || typeof v === 'string').join(' ');
  return why || (err instanceof Error ? err.name : 'failed');
}

/**
 * A live acrbot grant marked `identityChanged` or `modeChanged` whose mark may come off (the
 * change undone): as {@link watchable}, but marked.
 */
function clearable(r: AccessRequest, now: Date): boolean {
  if (!hasClearableDrift(r)) return false;
  const { driftDetectedAt: _seen, driftReason: _why, ...access } = r.access!;
  return watchable({ ...r, access }, now);
}

/** What was put back, for the `cleared` entry. */
function clearedWords(request: AccessRequest): string {
  if (request.plan.kind !== 'grant') return '';
  return request.access?.driftReason === 'identityChanged'
    ? `cluster ${request.plan.cluster.name} pulls as ${request.plan.identity.objectId} again`
    : `registry ${request.plan.registry.name}'s role assignment mode honours ${request.plan.role.name} again`;
}

/**
 * The idempotency key of the `access.clusterGone` entry of `request`'s cluster-gone note, one per
 * note (a cluster of that name read again takes it off: `clusterGoneCleared` counts those), so
 * an append reported failed but stored is found by the next sweep's, not written twice.
 */
export function clusterGoneEntryKey(request: Pick<AccessRequest, 'id' | 'access'>): string {
  const before = request.access?.clusterGoneCleared ?? 0;
  return before === 0 ? `access.clusterGone:${request.id}` : `access.clusterGone:${request.id}:${before + 1}`;
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
