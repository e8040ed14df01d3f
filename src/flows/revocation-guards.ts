/**
 * What a revocation holds and checks before it deletes anything: the access lease (one revocation
 * of a piece of access at a time, access-lease.ts), no request being granted the same access, and
 * each request marked as ending (`revokingSince`) so that its retry finishes it (G17).
 */
import { randomUUID } from 'node:crypto';
import { UserFacingError } from '../domain/errors';
import type { GrantPlan, SecretPlan } from '../domain/plan';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, Actor, RequestState } from '../domain/request';
import { isBeingGranted, transition } from '../domain/request';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { ACCESS_LEASE_TTL_MS, accessLeaseKey, accessLeaseSubject, executionLeaseKey } from './access-lease';
import { LeaseGuard } from './lease-guard';
import { type JobRun, OtherRunUnderWay } from './scheduler';

/** Two grants of one role assignment (the deterministic name covers scope, principal and role). */
function sameRoleAssignment(a: GrantPlan | SecretPlan, b: GrantPlan | SecretPlan): boolean {
  return a.kind === 'grant' && b.kind === 'grant' && a.roleAssignmentName === b.roleAssignmentName;
}

/**
 * Takes the access lease of `request`'s access (access-lease.ts) for a revocation. When another
 * revocation of the same access holds it, throws {@link OtherRunUnderWay}: not a failure of the
 * job (every extended grant's end meets it: the extension's end job, at the original's moved
 * end, revokes the original, and so does the original's own), which runs again at the next sweep
 * and finds the access ended, or ends it if that revocation failed. The guard keeps
 * it alive while the work runs (a slow cluster); runs wait for it. It is checked before the
 * revocation begins (`beginRevoke`), right before a grant's role assignment DELETE (revokeGrant's
 * `beforeDelete`, which the callers pass), right before a secret's service account PATCHes and
 * credential DELETEs (revokeSecrets' `checkLeases`, secret-revocation.ts, credential-revocation.ts)
 * and before "revoked". A pull secret's own DELETE is not checked: it is conditional on the uid
 * and resourceVersion just read. None without leases (a single process).
 */
export async function holdAccessLease(deps: LifecycleDeps, request: AccessRequest): Promise<LeaseGuard | undefined> {
  const leases = deps.settings.leases;
  if (!leases) return undefined;
  // An owner of its own per call, not per instance or per request: a lease is re-entrant for its
  // owner, and two revocations in one process contend too, those of one request included (its
  // end job and a Revoke of it, an extension's end job that takes it along). No caller takes it
  // again while holding it.
  const lease = await leases.store.acquire(
    accessLeaseKey(request.plan),
    `${leases.owner}|${request.id}#${randomUUID()}`,
    ACCESS_LEASE_TTL_MS,
  );
  if (!lease)
    throw new OtherRunUnderWay(`another revocation of ${accessLeaseSubject(request.plan)} is running; retrying`);
  return new LeaseGuard(
    { leases: leases.store, ttlMs: ACCESS_LEASE_TTL_MS },
    lease,
    deps.log,
    { requestId: request.id },
    () => deps.clock.now(),
    { what: 'access lease' },
  );
}

/**
 * The check right before a write nothing fences (a role assignment DELETE, a service account
 * PATCH, a credential DELETE): the access lease (`guard`, {@link holdAccessLease}), then the
 * job's (`run`), each when there is one. Throws as the first that is lost throws.
 */
export function checkBoth(
  guard: Pick<LeaseGuard, 'check'> | undefined,
  run: Pick<JobRun, 'check'> | undefined,
): () => Promise<void> {
  return async () => {
    await guard?.check();
    await run?.check();
  };
}

/**
 * Marks each request's access as ending (`revokingSince`) before anything is deleted, unless
 * an earlier attempt did: an extension's check refuses it from then on, and a failed attempt's
 * retry finishes the revocation even if the end moved (G17). Conditional writes: a request
 * changed meanwhile fails the attempt, to be retried. Each request's cards are redrawn once its
 * mark is written ("Being revoked since …"; nothing is sent): a revocation that keeps failing is
 * seen as under way, not as access still granted.
 */
export async function beginRevoke(deps: LifecycleDeps, requests: readonly AccessRequest[]): Promise<AccessRequest[]> {
  const begun: AccessRequest[] = [];
  for (const request of requests) {
    if (request.access?.revokingSince) {
      begun.push(request);
      continue;
    }
    const next = transition(request, { type: 'beginRevoke', at: deps.clock.now() });
    try {
      await deps.store.update(next);
    } catch (err) {
      if (err instanceof VersionConflictError)
        throw new Error(`request ${request.id} changed as its revocation began; retrying`, { cause: err });
      throw err;
    }
    begun.push(next);
    // Awaited (the lease is renewed meanwhile): a redraw still on its way when "Revoked" has been
    // written could land after it and put "Being revoked" back on the card. The messenger logs
    // its own failures; this catch is for the rest of the notifier's chain.
    await deps.cards
      .requestChanged(next, { markOnly: true })
      .catch((err: unknown) =>
        deps.log.error({ err, requestId: next.id }, 'redrawing the cards of a revocation failed'),
      );
  }
  return begun;
}

/**
 * Refuses, for now, to end access that is being granted again right now (approved or
 * running): an extension, whose run checks that the original still holds its access and,
 * finding it so before the original is marked revoked, would write a new credential after
 * "revoked"; or another grant of the same role assignment, whose PUT finds it present ("already
 * assigned") and which would say "succeeded" once this revocation deleted it (G17). Thrown to
 * be retried (the scheduler's backoff, reported if it lasts): by then that request has
 * succeeded (an extension ends with the original; a grant holds the assignment) or failed.
 * When someone revokes, an extension that succeeded since `extensions` was read counts too:
 * this revocation would not end it. Checked once, before the first deletion, under the access
 * lease; a run that starts later waits for that lease before its check or its PUT (see revoke).
 * Resolves to the ids of the extensions not waited for (their runs wait to be resumed).
 */
export async function refuseWhileGranting(
  deps: LifecycleDeps,
  original: AccessRequest,
  extensions: readonly AccessRequest[],
  by: Actor,
  expired: boolean,
): Promise<ReadonlySet<string>> {
  const ending = new Set([original.id, ...extensions.map((e) => e.id)]);
  const states: RequestState[] = expired ? ['approved', 'executing'] : ['approved', 'executing', 'succeeded'];
  // A grant's assignment can be shared by another cluster (one kubelet identity): the registry's
  // requests; an extension is on its original's cluster and registry.
  const same =
    original.plan.kind === 'grant'
      ? await deps.store.listByRegistry(original.plan.registry.id, states, 1000)
      : await deps.store.listByTarget(original.plan.cluster.id, original.plan.registry.id, states, 1000);
  const others = same.filter((r) => !ending.has(r.id));
  const extensionsOfIt = others.filter((r) => r.extendsRequestId && ending.has(r.extendsRequestId));
  // A revocation someone asked for ("token leaked") does not wait for an extension whose run
  // stopped and waits to be resumed (a rotation's secret write whose answer was lost waits up to
  // CLUSTER_WAIT_LIMIT_MS): the credentials would stay valid all that time. No run of it is
  // under way, so none has passed its check of the original; a resume from now on waits for
  // this access lease, then finds the original ending, fails and deletes its own credential
  // (ExtensionAwareSecretRunner). A run under way is waited for. An expiry waits for both: the
  // extension keeps the access until its own end (never early).
  const idle = expired ? new Set<string>() : await runsNotUnderWay(deps, extensionsOfIt);
  const extending = extensionsOfIt.filter((r) => !idle.has(r.id));
  if (idle.size)
    deps.log.info(
      { requestId: original.id, extensions: [...idle] },
      'revoking without waiting for extensions whose runs wait to be resumed; they fail when resumed',
    );
  const granting = others.filter(
    (r) => !extensionsOfIt.includes(r) && isBeingGranted(r) && sameRoleAssignment(r.plan, original.plan),
  );
  if (!extending.length && !granting.length) return idle;
  const ids = (rs: AccessRequest[]) => rs.map((r) => r.id).join(', ');
  const what = [
    extending.length ? `its extension ${ids(extending)}` : '',
    granting.length ? `another request for the same role assignment, ${ids(granting)},` : '',
  ].filter(Boolean);
  await recordAccessEvent(deps, original, by, {
    action: 'access.revoke.deferred',
    outcome: 'deferred',
    detail: `${what.join(' and ')} is being granted; retried`,
  });
  const sentences = [
    extending.length ? `An extension of ${original.id} (${ids(extending)}) is being granted right now.` : '',
    granting.length
      ? `Another request for the same role assignment as ${original.id} (${ids(granting)}) is being granted right now.`
      : '',
  ].filter(Boolean);
  throw new UserFacingError('revoke.grantRunning', `${sentences.join(' ')} The revocation runs again in a moment.`);
}

/**
 * The ids of `requests` that are `executing` but waiting to be resumed (the executor's
 * `RunInterrupted`: `waiting` set) and whose execution lease nobody holds now: no run of them
 * is under way. Read under the access lease, after it was taken (see refuseWhileGranting).
 * None without leases: a run under way cannot be told apart.
 */
async function runsNotUnderWay(deps: LifecycleDeps, requests: readonly AccessRequest[]): Promise<Set<string>> {
  const idle = new Set<string>();
  const leases = deps.settings.leases;
  if (!leases) return idle;
  for (const r of requests)
    if (r.state === 'executing' && r.waiting && !(await leases.store.holder(executionLeaseKey(r.id)))) idle.add(r.id);
  return idle;
}
