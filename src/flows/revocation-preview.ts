/**
 * What revoking would delete and keep, for the confirmation card (`revoke R-…` and `revoke
 * CLUSTER REGISTRY`): the same checks as the revocation, read from the store (and Azure for
 * grants), nothing changed.
 */
import {
  askOwners,
  type OutsidePull,
  outsidePullNamed,
  pullsFrom,
  type RegistryOpen,
  registryOpenWays,
} from '../domain/audit-end-words';
import { type GrantPlan, isPlannedTuple } from '../domain/plan';
import type { AccessRequest, RequestState } from '../domain/request';
import {
  acrbotServiceAccountEntries,
  credentialOf,
  laterWriterOf,
  recordedTokenCreation,
  retiredCredentialOf,
} from '../domain/secret-ownership';
import { mapAtMost } from '../domain/bounded-map';
import type { LifecycleDeps } from './access-lifecycle-deps';
import { extensionsOf } from './access-extensions';
import { checkTokenCreation, foreignTokenWords } from './foreign-token';
import { isActive } from './access-term';
import { outsidePulls } from './outside-pull';
import { acrbotCreatedAssignment, otherHolders, someIds, whyKept } from './role-assignment-holders';
import { type Listing, readingOnce } from './revocation-draw-reads';
import { ENTRY_NOT_ADDED, secretHolders } from './secret-revocation';
import type { RevocationLine } from '../domain/revocation-step-words';

/**
 * Most requests one `revoke CLUSTER REGISTRY` or `revoke registry NAME` card lists and its button
 * carries; this approver's beyond it are counted, for the next ask.
 */
export const PAIR_REVOKE_LIMIT = 200;

/** One thing revocation would delete (or keep), for the confirmation card and the audit. */
export type RevocationStep = RevocationLine;

/**
 * Most succeeded requests a pair's or a registry's revoke reads, oldest first, before keeping
 * those of the asker's tenant this approver may revoke. The filter runs after the read, so a read
 * cut at what one card carries could be filled by another rule's or tenant's older requests and
 * hide every one of this approver's (a false "nothing to revoke" during a leak). Ten cards' worth:
 * an approver's rare incident command, and the card still carries at most PAIR_REVOKE_LIMIT.
 */
export const REVOKE_READ_LIMIT = 2000;

/**
 * The active requests a revoke of many reads (every tenant's and rule's), and `full`: the read
 * came back at REVOKE_READ_LIMIT, so there may be more, this approver's among them, that no
 * answer counts. Every answer says so. `listings`: the listing they were read with, for the
 * caller to hand to their preview ({@link previewTogether}), whose own listings of the same pair
 * or registry (who holds and who made a role assignment, a pair's extensions) it then serves.
 */
export interface ActiveRead {
  requests: AccessRequest[];
  full: boolean;
  listings: readonly Listing[];
}

/**
 * Active acrbot requests (grants and secrets) on a cluster and registry: `revoke CLUSTER
 * REGISTRY`. An extension of a request listed is not listed again: it is the same access and
 * ends with it.
 */
export async function activeOn(deps: LifecycleDeps, clusterId: string, registryId: string): Promise<ActiveRead> {
  const asked = { clusterId, registryId, states: ['succeeded'] as RequestState[], limit: REVOKE_READ_LIMIT };
  const found = await deps.store.listByTarget(clusterId, registryId, asked.states, asked.limit);
  return cutAt(deps, { ...asked, order: 'oldestFirst', found });
}

/**
 * Active acrbot requests on a registry from every cluster (`revoke registry NAME`), as
 * {@link activeOn} lists a pair's; every tenant's.
 */
export async function activeOnRegistry(deps: LifecycleDeps, registryId: string): Promise<ActiveRead> {
  const asked = { registryId, states: ['succeeded'] as RequestState[], limit: REVOKE_READ_LIMIT };
  const found = await deps.store.listByRegistry(registryId, asked.states, asked.limit);
  // Returned with its requests: the card's previews of them take who holds each role assignment
  // (and a pair's extensions) from it, not from two more listings (revocation-draw-reads.ts).
  return cutAt(deps, { ...asked, order: 'oldestFirst', found });
}

/**
 * The active ones of a listing of succeeded requests, `full` when it came back at its cap, with
 * the listing itself (ActiveRead).
 */
function cutAt(deps: LifecycleDeps, listing: Listing): ActiveRead {
  const { found } = listing;
  return { requests: stillActive(deps, found), full: found.length >= REVOKE_READ_LIMIT, listings: [listing] };
}

/** Of succeeded requests, those whose access runs now, without an extension of one listed. */
function stillActive(deps: LifecycleDeps, succeeded: readonly AccessRequest[]): AccessRequest[] {
  const now = deps.clock.now();
  const active = succeeded.filter((r) => isActive(r, now));
  const ids = new Set(active.map((r) => r.id));
  return active.filter((r) => !r.extendsRequestId || !ids.has(r.extendsRequestId));
}

/** Most waiting requests on one pair {@link waitingOn} reads: a pair has a few, not hundreds. */
const PAIR_WAITING_READ = 50;

/** The states of a request not run yet, which a revoke of a pair or registry leaves. */
const NOT_RUN_YET: RequestState[] = ['pending', 'approved', 'executing'];

/**
 * Requests on a cluster and registry that have not run yet: `pending`, `approved` and not
 * started, or `executing` (being granted now; a revoke of the pair waits for it and leaves it). A
 * `revoke CLUSTER REGISTRY` does not touch them, and each would grant the pair again, so its
 * answer names them. Read from the pair's index, as the active ones are, every tenant's: `full`
 * when the read came back at its cap, so there may be more than those listed.
 */
export async function waitingOn(
  deps: LifecycleDeps,
  clusterId: string,
  registryId: string,
): Promise<{ requests: AccessRequest[]; full: boolean }> {
  return capped(await deps.store.listByTarget(clusterId, registryId, NOT_RUN_YET, PAIR_WAITING_READ));
}

/** Requests on a registry from every cluster not run yet (`revoke registry NAME`), as {@link waitingOn}. */
export async function waitingOnRegistry(
  deps: LifecycleDeps,
  registryId: string,
): Promise<{ requests: AccessRequest[]; full: boolean }> {
  return capped(await deps.store.listByRegistry(registryId, NOT_RUN_YET, PAIR_WAITING_READ));
}

/** A read of requests not run yet, `full` when it came back at its cap. */
function capped(requests: AccessRequest[]): { requests: AccessRequest[]; full: boolean } {
  return { requests, full: requests.length >= PAIR_WAITING_READ };
}

/**
 * What revoking every request in `requests` at once would delete and keep (`revoke CLUSTER
 * REGISTRY`): each request's preview, with the others (and their extensions) as ending too. The
 * click revokes them one after another and the last holder of a shared role assignment deletes
 * it, so a grant held only inside the set is shown as deleted, not as kept for a request that
 * ends in the same click. `listings`: those made in the same draw that `requests` were read with
 * (ActiveRead), empty when none was.
 */
export async function previewTogether(
  deps: LifecycleDeps,
  requests: readonly AccessRequest[],
  listings: readonly Listing[],
): Promise<Array<{ request: AccessRequest; lines: RevocationStep[] }>> {
  // The requests of one pair or registry share their listings and Azure reads: read once here,
  // and the listings the card's active read made (handed here with its requests) serve those of
  // the same requests.
  const shared = readingOnce(deps, listings);
  const together = new Set(requests.map((r) => r.id));
  for (const request of requests) for (const e of await extensionsOf(shared, request)) together.add(e.id);
  // A few at once: each preview reads Azure (a grant's assignment and listing, a token's date)
  // and the cluster, and a pair may hold many requests; the card and its click both draw it.
  return mapAtMost(requests, PREVIEWS_AT_ONCE, async (request) => ({
    request,
    lines: await preview(shared, request, together),
  }));
}

/** Requests of one pair revoke previewed at once ({@link previewTogether}). */
const PREVIEWS_AT_ONCE = 4;

/**
 * What revoking would delete and keep, checked against the store (and Azure for grants).
 * `together`: other requests revoked in the same action (they do not keep a role assignment).
 */
export async function preview(
  deps: LifecycleDeps,
  request: AccessRequest,
  together: ReadonlySet<string> = new Set(),
): Promise<RevocationStep[]> {
  // A revoke ends the request's extensions with it (see revoke).
  const extensions = await extensionsOf(deps, request);
  const ending = new Set(extensions.map((e) => e.id));
  const endsToo = extensions.map((e): RevocationStep => ({
    what: 'extension',
    target: e.id,
    action: 'delete',
    why: 'the same access; it ends too',
  }));
  if (request.plan.kind === 'grant') {
    const plan = request.plan;
    const own = await roleAssignmentStep(deps, request, plan, { ending, together });
    // One listing: what else lets the cluster pull, which the revoke leaves in place. A grant that
    // met its assignment in place already says that one stays (`existed before acrbot`).
    const outside = await outsidePulls(deps, request, own.notOurs ? isPlannedTuple(plan) : undefined);
    return [
      own.step,
      ...(outside?.pulls ?? []).map((p) => outsideStep(plan.registry.name, p)),
      ...openSteps(plan, outside?.open),
      ...endsToo,
    ];
  }
  const plan = request.plan;
  const secret = `${plan.namespace}/${plan.secretName} in ${plan.cluster.name}`;
  const holder = laterWriterOf(request, await secretHolders(deps, plan), ending);
  const steps: RevocationStep[] = holder
    ? [{ what: 'Kubernetes secret', target: secret, action: 'keep', why: `acrbot wrote it again for ${holder.id}` }]
    : [
        {
          what: 'Kubernetes secret',
          target: secret,
          action: 'delete',
          why: 'only if it is still the one acrbot wrote for this request',
        },
      ];
  if (!holder) {
    const entries = acrbotServiceAccountEntries(request);
    for (const serviceAccount of entries)
      steps.push({
        what: 'imagePullSecrets entry',
        target: `service account ${plan.namespace}/${serviceAccount}`,
        action: 'delete',
      });
    if (plan.serviceAccount && !entries.includes(plan.serviceAccount))
      steps.push({
        what: 'imagePullSecrets entry',
        target: `service account ${plan.namespace}/${plan.serviceAccount}`,
        action: 'keep',
        why: ENTRY_NOT_ADDED,
      });
  }
  // A credential a rotation of the same access deleted already is not shown as to be deleted:
  // the revocation finds it absent and deletes nothing (revokeCredential).
  const family = [request, ...extensions];
  for (const owner of family)
    if (!family.some((e) => e !== owner && retiredCredentialOf(e, owner.id) === 'deleted'))
      steps.push(...(await credentialSteps(deps, owner)));
  return [...steps, ...endsToo];
}

/**
 * The step for the grant's own role assignment: kept while a holder outside this revoke holds it,
 * or when acrbot did not create it (`notOurs`); deleted otherwise.
 */
async function roleAssignmentStep(
  deps: LifecycleDeps,
  request: AccessRequest,
  plan: GrantPlan,
  { ending, together }: { ending: ReadonlySet<string>; together: ReadonlySet<string> },
): Promise<{ step: RevocationStep; notOurs?: boolean }> {
  const others = await otherHolders(deps, request, plan, ending);
  const target = `${plan.role.name} for ${plan.identity.description} ${plan.identity.objectId} on ${plan.registry.name}`;
  // Holders revoked in the same action end too: only one outside it keeps the assignment.
  const staying = { ...others, holders: others.holders.filter((h) => !together.has(h.id)) };
  if (staying.holders.length || !staying.complete)
    return {
      step: { what: 'role assignment', target, action: 'keep', why: whyKept(staying, plan, request.tenantId) },
    };
  if (!(await acrbotCreatedAssignment(deps, request, plan)))
    return {
      step: {
        what: 'role assignment',
        target,
        action: 'keep',
        why: 'it existed before acrbot; not acrbot\u2019s to delete',
      },
      notOurs: true,
    };
  const sharing = others.holders.map((h) => h.id);
  return {
    step: {
      what: 'role assignment',
      target,
      action: 'delete',
      ...(sharing.length > 0 && {
        why: `also held by ${someIds(sharing)}, revoked with it; deleted when the last of them ends`,
      }),
    },
  };
}

/**
 * An assignment acrbot did not make through which the cluster can still pull after the revoke:
 * kept, and said so, so that whoever revokes (in an emergency too) does not believe pulling ends.
 */
function outsideStep(registryName: string, pull: OutsidePull): RevocationStep {
  return {
    what: 'role assignment',
    target: outsidePullNamed(pull),
    action: 'keep',
    // One with a condition lets it pull only some repositories, as `check` says.
    why: `granted outside acrbot, so the cluster can still pull ${pullsFrom(registryName, pull.conditioned)} through it; ${askOwners(1)}`,
    informational: true,
  };
}

/**
 * What the registry itself lets in whatever roles say (anonymous pull, its admin user, as read
 * now): a revoke changes neither, so each is a step kept and told, as an assignment acrbot did not
 * make is ({@link outsideStep}), in the end notice's words.
 */
function openSteps(plan: GrantPlan, open: RegistryOpen | undefined): RevocationStep[] {
  return registryOpenWays(plan.registry, open).map((way) => ({
    what: 'registry setting',
    target: way.setting,
    action: 'keep',
    why: `enabled, ${way.so}; acrbot does not change registry settings`,
    informational: true,
  }));
}

/**
 * What deleting a secret request's credential deletes, from its store records (for the preview).
 * A token under the name that Azure dates otherwise than the request's outcome recorded is kept,
 * with the scope map it may use, as the revocation leaves them (revokeCredential). A read that
 * fails shows the deletion, as a record without a date does: the revocation reads it again.
 */
async function credentialSteps(deps: LifecycleDeps, request: AccessRequest): Promise<RevocationStep[]> {
  const ref = credentialOf(request);
  if (ref?.kind === 'token') {
    const created = recordedTokenCreation(request, ref);
    const foreign = await checkTokenCreation(deps.ports.tokens, ref, created).then(
      (read) => read.foreign,
      (err: unknown) => {
        deps.log.warn({ err, requestId: request.id }, 'the token could not be read for the revocation preview');
        return undefined;
      },
    );
    // What the revocation would do with each: kept, with why, or deleted.
    const fate = (keptWhy: string): Pick<RevocationStep, 'action' | 'why'> =>
      foreign ? { action: 'keep', why: keptWhy } : { action: 'delete' };
    const words = foreign && `${foreignTokenWords(ref, foreign, created)}; left in place for an operator`;
    return [
      { what: 'ACR token', target: `${ref.tokenName} on ${ref.registry}`, ...fate(words || '') },
      ...(ref.scopeMapName
        ? [
            {
              what: 'scope map',
              target: ref.scopeMapName,
              ...fate("the token now under acrbot's token's name may use it"),
            },
          ]
        : []),
    ];
  }
  if (ref?.kind === 'sp')
    return [
      { what: 'Entra application', target: `${ref.appId}`, action: 'delete' },
      ...(ref.roleAssignment
        ? [
            {
              what: 'role assignment',
              target: `of ${ref.appId} on ${request.plan.registry.name}`,
              action: 'delete' as const,
            },
          ]
        : []),
    ];
  return [];
}
