/**
 * The watch over a role assignment orphaned by a revocation (G17). A grant whose registry was not
 * at its recorded id when its access ended (deleted, or moved to another resource group) could
 * not have its assignment deleted: Azure keeps a role assignment whose scope resource went, at
 * the old scope, and it gives pull again as soon as a registry is at that id again (made again
 * under the same name, or moved back). So the revocation schedules this job: once a day, for
 * ORPHAN_WATCH_DAYS days (domain/acrbot-request-ref.ts), it looks whether a registry answers at the recorded id
 * (one GET of it; the role assignments there are listed only once one answers); once
 * one does, it deletes acrbot's recorded assignment there under the revocation's checks (G15:
 * only the name, principal, role and scope acrbot's records say it created, and not one Azure
 * says it made after the access ended; kept while another active grant holds it), audits what it
 * found, and stops (unless its DELETE finds the registry gone again: then it looks again the next
 * day, as before it was back). After the last day it stops without a word: by then an assignment left there
 * is an operator's to remove (docs/lifecycle.md).
 */
import { ORPHAN_WATCH_MS } from '../domain/access-inventory';
import { ResourceGoneError } from '../domain/errors';
import type { RoleAssignmentInfo } from '../domain/azure-model';
import type { ScheduledJob } from '../domain/ports';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import { type GrantPlan, plannedAssignmentId } from '../domain/plan';
import { madeAfterAccessEnded } from '../domain/made-after-access-ended';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { acrbotCreatedAssignment, grantingOf, otherHolders, whyKept } from './role-assignment-holders';
import { spreadOf } from './retry-jitter';
import { type JobRun, RetryAt } from './scheduler';
import { checkBoth, holdAccessLease } from './revocation-guards';

/** The job kind of the watch. */
export const ORPHAN_WATCH_KIND = 'access.orphanWatch' as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A daily look comes up to this much before a day has passed, spread by watch and look: the
 * watches of one registry's grants, revoked together when it went, do not all read Azure in the
 * same minute. Earlier, never later, so a look is never more than a day after the last.
 */
export const ORPHAN_WATCH_SPREAD_MS = 60 * 60 * 1000;

/** When the look after one at `now` is due: a day later, less a part of the spread (`random()` in [0, 1)). */
function nextDailyLook(now: number, random: () => number): number {
  return now + DAY_MS - Math.floor(random() * ORPHAN_WATCH_SPREAD_MS);
}

/**
 * Which look of the watch ending at `until` one at `now` is: 0 when it is scheduled, then one more
 * at least with every look (each comes at least a day less the spread after the last). With the
 * job's id it draws the look's spread ({@link spreadOf}), not Math.random: watches revoked together
 * still spread apart, while one watch's next look is the same on every run (a test, or an operator
 * reading the schedule, can predict it).
 */
function lookIndex(now: number, until: number): number {
  return Math.floor((now - (until - ORPHAN_WATCH_MS)) / (DAY_MS - ORPHAN_WATCH_SPREAD_MS));
}

/** A request being granted the same assignment (or too many under way to tell): looked at again after this. */
export const GRANTING_RETRY_MS = 5 * 60 * 1000;

/** The watch's job id for `requestId` (one per revoked grant). */
export function orphanWatchJobId(requestId: string): string {
  return `${ORPHAN_WATCH_KIND}:${requestId}`;
}

/** What the job carries: the last moment it looks. */
interface WatchPayload {
  until?: string;
}

/**
 * Schedules the watch of `request`'s role assignment: first look about a day from now (see
 * {@link ORPHAN_WATCH_SPREAD_MS}), the last ORPHAN_WATCH_DAYS days from now. Idempotent (a retried
 * revocation writes the same job; its window starts again, which only makes it longer by the
 * retry's delay). `random` is a number in [0, 1) that spreads the first look; default
 * {@link spreadOf} the job's id and look 0 (tests may pass a fixed one).
 */
export async function scheduleOrphanWatch(
  deps: Pick<LifecycleDeps, 'jobs' | 'clock'>,
  requestId: string,
  random: () => number = () => spreadOf(orphanWatchJobId(requestId), 0),
): Promise<void> {
  const now = deps.clock.now().getTime();
  await deps.jobs.schedule({
    id: orphanWatchJobId(requestId),
    kind: ORPHAN_WATCH_KIND,
    dueAt: new Date(nextDailyLook(now, random)),
    requestId,
    payload: { until: new Date(now + ORPHAN_WATCH_MS).toISOString() } satisfies WatchPayload,
  });
}

/**
 * One look of the watch (the `access.orphanWatch` job, run under its lease). A look that fails
 * other than "still gone" (a refusal, a hiccup) throws {@link RetryAt} the next daily look (the
 * window's end at the latest; past it the watch ends): the scheduler records the failure and
 * reports it as a recurring job's, after 3 failures and then on each failing look, a day apart
 * (composition/scheduler.ts). A registry moved back without acrbot's rights fails every look
 * until an operator gives them back, and retrying it at the backoff would ask Azure the same
 * every half hour for up to 90 days.
 * `random` spreads the next daily look (see {@link ORPHAN_WATCH_SPREAD_MS}); default
 * {@link spreadOf} the job's id and the look's index (tests may pass a fixed one).
 */
export async function watchOrphanedAssignment(
  deps: LifecycleDeps,
  job: ScheduledJob,
  run?: JobRun,
  random?: () => number,
): Promise<void> {
  const request = job.requestId ? await deps.store.get(job.requestId) : undefined;
  if (!request || request.plan.kind !== 'grant') return;
  const plan = request.plan;
  const until = Date.parse(((job.payload ?? {}) as WatchPayload).until ?? '');
  const now = deps.clock.now().getTime();
  // Past its window (or a payload it cannot read): it ends, auditing nothing more.
  if (!(now <= until)) {
    deps.log.info({ jobId: job.id, requestId: request.id }, 'the watch of an orphaned role assignment ended');
    return;
  }
  const spread = random ?? (() => spreadOf(job.id, lookIndex(now, until)));
  const next = async (at: number) => {
    if (at > until) return;
    await run?.check();
    await deps.jobs.schedule({
      id: job.id,
      kind: ORPHAN_WATCH_KIND,
      dueAt: new Date(at),
      requestId: request.id,
      payload: job.payload,
    });
  };
  // Still nothing at the recorded id (the registry read, one GET): look again tomorrow, without
  // the lease or a listing. Any other answer, a refusal too, goes on to the listing, whose
  // failure says what it meant (refused-or-gone.ts).
  const there = await deps.ports.roleAssignments.scopeExists(plan.scope).catch((err: unknown) => {
    deps.log.debug(
      { err, jobId: job.id, requestId: request.id },
      'orphan watch: the registry read failed; its listing tells',
    );
    return undefined;
  });
  if (there === false) return await next(nextDailyLook(now, spread));
  // As a revocation does: one deletion of this assignment at a time across instances, and none
  // while a request is being granted it (its PUT would find it present and say "succeeded").
  const guard = await holdAccessLease(deps, request);
  try {
    // A grant of it approved or running, or too many requests under way to tell: not now.
    const { granting, complete } = await grantingOf(deps, plan);
    if (granting.length || !complete) return await next(now + GRANTING_RETRY_MS);
    let current: RoleAssignmentInfo[];
    try {
      current = await deps.ports.roleAssignments.listForPrincipal(plan.scope, plan.identity.objectId);
    } catch (err) {
      // Still nothing at the recorded id: look again tomorrow (or stop, past the window).
      if (err instanceof ResourceGoneError) return await next(nextDailyLook(now, spread));
      // Refused or a hiccup: a failure (recorded, reported), looked at again when the next daily
      // look would be, the last one at the window's end; a run after that ends the watch.
      throw new RetryAt(new Date(Math.min(nextDailyLook(now, spread), until)), err);
    }
    // Now, and again right before the DELETE, after the holders are read: nothing fences it (endOrphan).
    const beforeDelete = checkBoth(guard, run);
    await beforeDelete();
    if ((await endOrphan(deps, request, plan, current, beforeDelete)) === 'lookAgain')
      await next(nextDailyLook(now, spread));
  } finally {
    await guard?.stop();
  }
}

/**
 * A registry answers at the recorded id again: the checks of a revocation, then the delete, each
 * outcome audited and the watch done; `lookAgain` when the registry's grants were too many to
 * list whole and none of those read holds it (another may, or none: asked again the next day,
 * rather than left for good with no end), or when the DELETE finds the registry gone again
 * (unaudited, as a look that finds it gone). `beforeDelete` checks the leases the look holds, right
 * before the DELETE: a look frozen past them while a new grant of the pair was made would delete
 * that grant's assignment (the same name).
 */
async function endOrphan(
  deps: LifecycleDeps,
  request: AccessRequest,
  plan: GrantPlan,
  current: readonly RoleAssignmentInfo[],
  beforeDelete: () => Promise<void>,
): Promise<'done' | 'lookAgain'> {
  const target = plannedAssignmentId(plan);
  const back = 'a registry is at its recorded id again (made again under the same name, or moved back)';
  const audit = (outcome: string, detail: string, targetIds = [target], correlationIds?: string[]) =>
    recordAccessEvent(deps, request, ACRBOT_ACTOR, {
      action: 'access.revoke.roleAssignment',
      outcome,
      targetIds,
      detail,
      ...(correlationIds && { correlationIds }),
    });
  // A grant made since holds it with its own end, which deletes it.
  const others = await otherHolders(deps, request, plan);
  if (others.holders.length) {
    await audit('kept', `${back}; ${whyKept(others, plan, request.tenantId)}`);
    return 'done';
  }
  if (!others.complete) {
    deps.log.warn(
      { requestId: request.id, scope: plan.scope },
      "orphan watch: the registry's grants are too many to list whole, so another may hold the assignment; looked at again tomorrow",
    );
    return 'lookAgain';
  }
  if (!(await acrbotCreatedAssignment(deps, request, plan))) {
    await audit('notOurs', `${back}; the assignment existed before acrbot; left in place`);
    return 'done';
  }
  const named = current.filter((a) => a.name.toLowerCase() === plan.roleAssignmentName.toLowerCase());
  // Only the assignment acrbot created: same name, principal, role and scope (G15).
  const match = named.find(
    (a) =>
      a.scope.toLowerCase() === plan.scope.toLowerCase() &&
      a.principalId.toLowerCase() === plan.identity.objectId.toLowerCase() &&
      a.roleDefinitionId.toLowerCase().endsWith(`/${plan.role.id.toLowerCase()}`),
  );
  if (!match) {
    await audit(
      'absent',
      named.length
        ? `${back}; the assignment there under the recorded name is not the one acrbot created (another role or scope); left in place`
        : `${back}; ${ASSIGNMENT_NOT_FOUND}`,
    );
    return 'done';
  }
  // The same name, principal, role and scope, but made after this access ended: the name is
  // deterministic, so another acrbot deployment (or this one on another store) or a person using
  // the same GUID made it at acrbot's old id; acrbot's own went meanwhile. Not acrbot's to delete.
  // One without `createdOn` (an answer that did not carry it) is judged by the records alone, as
  // before: Azure's real answers carry it, and refusing on its absence would leave every orphan.
  if (madeAfterAccessEnded(match, request)) {
    // Parsed (it was, to be compared) and written back as ISO: Azure's text is not copied in.
    const made = new Date(Date.parse(match.createdOn ?? '')).toISOString();
    await audit(
      'notOurs',
      `${back}; the assignment there was made on ${made}, after acrbot's access ended, so not by acrbot; left in place`,
      [match.id],
    );
    return 'done';
  }
  await beforeDelete();
  const deletion = await deps.ports.roleAssignments.delete({
    scope: plan.scope,
    name: plan.roleAssignmentName,
    subscriptionId: plan.registry.subscriptionId,
  });
  // The registry went again between the listing and the DELETE (404 on its scope): nothing
  // deleted, and Azure keeps the assignment at that id, so the watch goes on as when its listing
  // finds the registry gone (audited nothing; looked at again the next day).
  if (deletion.gone) return 'lookAgain';
  // The DELETE's request id (its 404's too), for Azure's Activity Log, as a revocation's entry
  // carries it (grant-revocation.ts).
  const correlationIds = deletion.requestId ? [deletion.requestId] : [];
  // Answered "nothing there" (removed meanwhile, by hand): recorded as the listing's, never as a
  // deletion acrbot made.
  if (deletion.absent) {
    await audit('absent', `${back}; ${ASSIGNMENT_NOT_FOUND}`, [match.id], correlationIds);
    return 'done';
  }
  await audit(
    'deleted',
    `${back}: the role assignment acrbot created, left at that id when the access ended, gave pull again; deleted`,
    [match.id],
    correlationIds,
  );
  return 'done';
}

/**
 * The `absent` entry's words for acrbot's assignment not there (the revocation's, and the
 * watch's once the registry is back): one wording, so the trail reads the same either way.
 */
export const ASSIGNMENT_NOT_FOUND =
  'no assignment with the name, principal, role and scope acrbot created; nothing deleted';
