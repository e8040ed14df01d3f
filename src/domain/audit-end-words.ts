/**
 * What the `access.expired`/`access.revoked` entry of a grant says besides its reason when the
 * end removed nothing, or left the cluster able to pull: the role assignment was already gone
 * (removed outside acrbot, drift), its registry is gone, another grant keeps it, or it was never
 * acrbot's; and the assignments not made by acrbot through which the cluster can still pull
 * ({@link outsidePullWords}, one wording for the entry and the notices), and what the registry
 * itself lets in (anonymous pull, its admin user: {@link registryOpenWords}). Built from ids, ISO times
 * and the role names ARM gives. Pure.
 */
import type { AuditEntry } from './audit-chain';
import { type GrantPlan, plannedAssignmentId } from './plan';
import type { AccessRequest } from './request';

/**
 * A role assignment acrbot did not make that still lets a grant's identity pull from its registry
 * after the grant ended (Terraform, Azure Policy, a person; a custom role with pull).
 */
export interface OutsidePull {
  /** The role's name as ARM gives it (only roles whose definition was read, and carries pull, are listed). */
  role: string;
  /** The assignment's scope: the registry, its resource group, subscription or a management group. */
  scope: string;
  /** The group holding it, when held through a group rather than by the identity itself. */
  group?: string;
  /**
   * It has a condition (an ABAC repository limit): the cluster can pull only the repositories it
   * allows, which acrbot does not evaluate (`check` says the same).
   */
  conditioned?: boolean;
}

/**
 * What the registry itself lets pull whatever roles say, as read at a grant's end (its GET, judged
 * by registry-reach.ts as `check` judges it): acrbot deletes only role assignments, so these outlast
 * any end.
 */
export interface RegistryOpen {
  /** Anonymous pull is enabled and something can reach the registry: the cluster pulls without a role. */
  anonymous?: boolean;
  /** The admin user is enabled (and something can reach the registry): anything holding its password pulls. */
  adminUser?: boolean;
}

/**
 * What a grant's end found still letting the cluster pull: the assignments not made by acrbot
 * (`pulls`), and what the registry itself lets in (`open`; absent when the registry was not read).
 */
export interface OutsideWays {
  pulls: OutsidePull[];
  open?: RegistryOpen;
}

/** One way the registry itself lets pull ({@link registryOpenWays}). */
export interface RegistryOpenWay {
  /** The setting, as the revoke confirmation names it: "anonymous pull on contosoacr". */
  setting: string;
  /** "anonymous pull is enabled on contosoacr": the setting as a clause. */
  enabled: string;
  /** What it lets on, lower case, no stop: "so the cluster (…) can still pull without a role". */
  so: string;
}

/**
 * Each way the registry itself lets pull ({@link RegistryOpen}), in the words of the end's entry
 * and notices ({@link registryOpenWords}) and of the revoke confirmation's steps, so a revoke is
 * not read as the end of pulling while anonymous pull or the admin user lets it on (`check` says
 * the same after its verdict). The command that turns the admin user off names the registry's
 * subscription when it is at hand, as acrbot's other by-hand commands do: the operator's CLI may
 * be set to another one.
 */
export function registryOpenWays(
  registry: { name: string; loginServer: string; subscriptionId?: string },
  open: RegistryOpen | undefined,
): RegistryOpenWay[] {
  const inSubscription = registry.subscriptionId ? ` --subscription ${registry.subscriptionId}` : '';
  return [
    ...(open?.anonymous
      ? [
          {
            setting: `anonymous pull on ${registry.name}`,
            enabled: `anonymous pull is enabled on ${registry.name}`,
            so: `so the cluster (and anything that can reach ${registry.loginServer}) can still pull without a role`,
          },
        ]
      : []),
    ...(open?.adminUser
      ? [
          {
            setting: `admin user of ${registry.name}`,
            enabled: `the admin user of ${registry.name} is enabled`,
            so: `so anything holding its password can still pull (az acr update${inSubscription} -n ${registry.name} --admin-enabled false)`,
          },
        ]
      : []),
  ];
}

/**
 * "anonymous pull is enabled on REGISTRY, so the cluster (…) can still pull without a role; the
 * admin user …": {@link registryOpenWays} as one clause, lower case, no stop; undefined when
 * there is none.
 */
export function registryOpenWords(
  registry: { name: string; loginServer: string; subscriptionId?: string },
  open: RegistryOpen | undefined,
): string | undefined {
  return (
    registryOpenWays(registry, open)
      .map((w) => `${w.enabled}, ${w.so}`)
      .join('; ') || undefined
  );
}

/**
 * Why a grant's end kept its role assignment, for the requester: `why`, the revocation's words
 * (role-assignment-holders.ts `whyKept`, in the request's tenant: another tenant's holder is not
 * named): still used by other grants, or they could not all be read (`complete` false); `until`,
 * when the holders all are of its tenant and end, the last of their ends (ISO).
 */
export interface KeptAssignment {
  why: string;
  until?: string;
  complete: boolean;
}

/** One assignment as the end's words (and the revoke confirmation's steps) name it. */
export function outsidePullNamed(p: OutsidePull): string {
  return `${p.role} on ${p.scope}${p.group ? ` (through group ${p.group})` : ''}${p.conditioned ? ' (with a condition)' : ''}`;
}

/**
 * "the cluster can still pull from REGISTRY: ROLE on SCOPE, granted outside acrbot": what a
 * grant's end left, said the same in its audit entry, the requester's notice, the approvers'
 * report and the revoke confirmation. One with a condition lets it pull only some repositories,
 * and is said so ("can still pull some repositories from REGISTRY: … (with a condition)"), as
 * `check` says it. Undefined when there is none. `named` names each assignment: by its ids
 * ({@link outsidePullNamed}) in the entry, by what its scope is on a card
 * (outside-pull-card-words.ts).
 */
export function outsidePullWords(
  registryName: string,
  pulls: readonly OutsidePull[],
  named: (p: OutsidePull) => string = outsidePullNamed,
): string | undefined {
  const whole = pulls.filter((p) => !p.conditioned).map(named);
  const some = pulls.filter((p) => p.conditioned).map(named);
  if (whole.length === 0 && some.length === 0) return undefined;
  const through = whole.length
    ? `${pullsFrom(registryName, false)}: ${whole.join('; ')}${some.length ? `; and some repositories: ${some.join('; ')}` : ''}`
    : `${pullsFrom(registryName, true)}: ${some.join('; ')}`;
  return `the cluster can still pull ${through}, granted outside acrbot`;
}

/**
 * "from REGISTRY", or "some repositories from REGISTRY" through an assignment with a condition:
 * what {@link outsidePullWords} says the cluster can still pull, for one assignment too (the
 * revoke confirmation's step).
 */
export function pullsFrom(registryName: string, conditioned: boolean | undefined): string {
  return `${conditioned ? 'some repositories ' : ''}from ${registryName}`;
}

/**
 * What the requester and the approvers are asked of the `count` assignments
 * {@link outsidePullWords} named: "ask its owners to remove it if it should not stay", or for
 * two or more "ask their owners to remove them if they should not stay". Lower case, no stop.
 */
export function askOwners(count: number): string {
  return count === 1
    ? 'ask its owners to remove it if it should not stay'
    : 'ask their owners to remove them if they should not stay';
}

/** The audit action of each step that deletes (or keeps) a grant's role assignment. */
const ROLE_STEP = 'access.revoke.roleAssignment';

/**
 * The words for a grant's end, from the steps its revocation recorded (`trail`: the request's
 * entries; an attempt retried after a delete that went through still counts as deleted, its
 * entry or only its mark written) and
 * whether the assignment it relied on was made outside acrbot (`heldOutsideAcrbot`), and the
 * assignments not acrbot's through which the cluster can still pull, as listed at the end, and
 * what the registry itself lets in (`outside`; undefined when not listed; the one
 * `heldOutsideAcrbot` names is not among them). Undefined when acrbot deleted the
 * assignment and nothing outside acrbot lets it pull, for a secret, and when no step was recorded.
 */
export function grantEndWords(
  request: Pick<AccessRequest, 'plan' | 'access'>,
  trail: readonly Pick<AuditEntry, 'action' | 'outcome' | 'detail'>[],
  heldOutsideAcrbot: boolean | undefined,
  outside?: OutsideWays,
): string | undefined {
  if (request.plan.kind !== 'grant') return undefined;
  const still = outsidePullWords(request.plan.registry.name, outside?.pulls ?? []);
  const open = registryOpenWords(request.plan.registry, outside?.open);
  const left = removedWords(request, trail, heldOutsideAcrbot);
  return [left, still, open].filter(Boolean).join('; ') || undefined;
}

/** {@link grantEndWords} without the listing. */
function removedWords(
  request: Pick<AccessRequest, 'plan' | 'access'>,
  trail: readonly Pick<AuditEntry, 'action' | 'outcome' | 'detail'>[],
  heldOutsideAcrbot: boolean | undefined,
): string | undefined {
  if (request.plan.kind !== 'grant') return undefined;
  const plan: GrantPlan = request.plan;
  const id = plannedAssignmentId(plan);
  // Named by role, principal and scope (one assignment each in Azure): one made by hand has a
  // name of its own, not the planned one.
  const notAcrbots = `the cluster can still pull through an assignment acrbot did not make: ${plan.role.name} for ${plan.identity.objectId} on ${plan.scope}`;
  if (heldOutsideAcrbot) return notAcrbots;
  const last = lastRoleStep(trail);
  if (!last) return undefined;
  const access = request.access;
  switch (last.outcome) {
    case 'notOurs':
      return notAcrbots;
    case 'kept': {
      // The step's own detail says which of the two (the revocation's whyKept): "still used by
      // R-B" (another tenant's holder unnamed), or that holders could not all be read.
      const why = last.detail;
      return why
        ? `nothing deleted: ${id} is kept, ${why}`
        : `nothing deleted: ${id} is kept, as another grant holds it or holders could not all be read`;
    }
    case 'absent': {
      if (access?.orphanWatchUntil)
        return `nothing deleted: the registry is gone from its recorded id; acrbot watches for ${id} until ${access.orphanWatchUntil}`;
      const how = access?.driftReason === 'changed' ? 'changed' : 'removed';
      const noticed = access?.driftDetectedAt ? ` (drift noticed ${access.driftDetectedAt})` : '';
      return `nothing to delete: ${id} was ${how} outside acrbot${noticed}`;
    }
    default:
      return undefined;
  }
}

/**
 * The outcomes of the role assignment steps that say acrbot deleted it: `deleted`, and
 * `alreadyDeleted` (not found by a retry after an attempt that marked it `deleting`, sent its
 * DELETE and stopped before its entry).
 */
const DELETED_STEPS: ReadonlySet<string> = new Set(['deleted', 'alreadyDeleted']);

/** The outcome of the mark written just before a DELETE: it says nothing of what the end left. */
const MARK = 'deleting';

/**
 * The last role assignment step a grant's revocation recorded in `trail`, unless one deleted it
 * (an attempt retried after a delete that went through): the step that says what the end left.
 * A `deleting` mark is not a step.
 */
export function lastRoleStep<T extends Pick<AuditEntry, 'action' | 'outcome'>>(trail: readonly T[]): T | undefined {
  const steps = trail.filter((e) => e.action === ROLE_STEP && e.outcome !== MARK);
  if (steps.some((e) => DELETED_STEPS.has(e.outcome))) return undefined;
  return steps[steps.length - 1];
}
