/**
 * What a new grant on acrbot's existing role assignment records of the grants already holding it
 * (overlap, G17: {@link AccessRequest.pullsThrough}), and the words its card says them in: its
 * "Already pulls" line, and its plan's "Keep role assignment" operation. Pure.
 */
import { accessEnd } from './access-end';
import { formatUtc } from './access-term';
import type { GrantPlan, PlannedIdentity } from './plan';
import { type AccessRequest, isBeingRevoked, PULLS_THROUGH_RECORDED, type PullsThrough } from './request';
import { ofTenant } from './tenant-boundary';

/**
 * The grants a new grant of `tenantId` records as already giving its pull: the live `holders` of
 * the assignment, then those being granted it (`granting`), the one that keeps it longest first
 * (no end before an end), at most {@link PULLS_THROUGH_RECORDED}. Another tenant's is kept
 * without its id, requester or end (tenant-boundary.ts). A holder being revoked or marked
 * drifted is left out: its end is not the one it was given ("until" would overstate it, the
 * revocation may delete the assignment before this request is decided), so it keeps nothing.
 */
export function pullsThroughOf(
  holders: readonly AccessRequest[],
  granting: readonly AccessRequest[],
  tenantId: string,
): PullsThrough[] {
  const one = (r: AccessRequest, isGranting: boolean): PullsThrough => {
    if (!ofTenant(r, tenantId)) return isGranting ? { granting: true } : {};
    const until = isGranting ? undefined : accessEnd(r);
    return {
      requestId: r.id,
      requester: r.requester.name,
      ...(until && { until }),
      ...(isGranting && { granting: true }),
    };
  };
  const endOf = (p: PullsThrough) => (p.until ? Date.parse(p.until) : Number.POSITIVE_INFINITY);
  const held = holders
    .filter((r) => !isBeingRevoked(r) && !r.access?.driftDetectedAt)
    .map((r) => one(r, false))
    // Another tenant's end is not recorded: first, as one that may keep it longest.
    .sort((a, b) => endOf(b) - endOf(a));
  return [...held, ...granting.map((r) => one(r, true))].slice(0, PULLS_THROUGH_RECORDED);
}

/**
 * What a new pull secret records as already letting its cluster's kubelet identity pull from the
 * registry: the pair's live acrbot `grants` (as {@link pullsThroughOf} records holders, the
 * longest first), then `outside`, the id of an assignment no acrbot record holds and not named
 * as acrbot names its grants (made outside acrbot: secret-already-pulls.ts decides), kept within
 * {@link PULLS_THROUGH_RECORDED}.
 */
export function secretPullsThroughOf(
  grants: readonly AccessRequest[],
  outside: string | undefined,
  tenantId: string,
): PullsThrough[] {
  const room = PULLS_THROUGH_RECORDED - (outside ? 1 : 0);
  return [...pullsThroughOf(grants, [], tenantId).slice(0, room), ...(outside ? [{ roleAssignmentId: outside }] : [])];
}

/**
 * The "Already pulls" line of a grant's card: through which grants its cluster pulled when it was
 * filed, until when, and that approving keeps that same role assignment until this request's end
 * too (so ending those grants alone no longer stops the pull). A pull secret's says its cluster's
 * kubelet already pulled without one ({@link secretWords}). Undefined when none was recorded.
 * Requester names are user text: the caller makes the line inert.
 */
export function pullsThroughWords(
  request: Pick<AccessRequest, 'pullsThrough'> & { plan?: AccessRequest['plan'] },
): string | undefined {
  const through = request.pullsThrough ?? [];
  if (through.length === 0) return undefined;
  const each = through.map(throughWords);
  if (request.plan?.kind === 'secret') return secretWords(request.plan.registry.name, each);
  const ids = through.filter((p) => p.requestId).map((p) => p.requestId);
  const alone = ids.length ? `, so revoking ${ids.join(' or ')} alone no longer stops the pull` : '';
  return `When this was requested: through ${each.join('; ')}. Approving keeps that same role assignment until this request's end too${alone}.`;
}

/**
 * One recorded way the cluster pulled: a grant (whose, until when) or an assignment outside
 * acrbot. Such an assignment is held by no acrbot grant of the pair and is not named as acrbot
 * names its grants, so it is not an acrbot grant of another cluster with the same kubelet
 * identity either (that one carries acrbot's name, and is not recorded).
 */
function throughWords(p: PullsThrough): string {
  if (p.roleAssignmentId)
    return `role assignment ${p.roleAssignmentId.split('/').pop()}, which no acrbot grant holds (made outside acrbot, e.g. with az aks update --attach-acr)`;
  const who = p.requestId ? `${p.requestId} (${p.requester ?? 'someone'}'s grant)` : 'a request of another tenant';
  if (p.granting) return `${who}, being granted`;
  return p.until ? `${who}, until ${formatUtc(p.until)}` : p.requestId ? `${who}, with no end` : who;
}

/**
 * A pull secret's "Already pulls": the kubelet pulls images for every pod of its cluster with its
 * own identity, so while that access lasts the secret adds nothing to those pulls. It still works:
 * it serves what pulls with other credentials, and after that access ends.
 */
function secretWords(registry: string, each: readonly string[]): string {
  return `When this was requested: the cluster's kubelet identity already pulled from ${registry} through ${each.join('; ')}. A pull secret still works, but the kubelet pulls without it while that lasts: it is needed only for pulls made with other credentials (a tool that reads the secret) or after that access ends.`;
}

/**
 * The `request.created` entry's clause for what already gave the pull ({@link AccessRequest.pullsThrough}),
 * by ids only (no names, no ends): "already pulled through R-A, R-B (being granted), role
 * assignment /subscriptions/…". Empty when none was recorded. Another tenant's is named as such.
 */
export function pullsThroughAuditWords(request: Pick<AccessRequest, 'pullsThrough'>): string {
  const through = request.pullsThrough ?? [];
  if (through.length === 0) return '';
  const each = through.map((p) => {
    if (p.roleAssignmentId) return `role assignment ${p.roleAssignmentId} (outside acrbot)`;
    const who = p.requestId ?? 'a request of another tenant';
    return p.granting ? `${who} (being granted)` : who;
  });
  return `the cluster already pulled through ${each.join(', ')}`;
}

/**
 * The identity an operation line assigns the role to, in the Identity fact's words (its
 * description and id): a kubelet managed identity is assigned through its service principal,
 * whose object id that is, so both lines say the same thing. For the grant plan's Create line
 * (grant-planner.ts buildGrantPlan) and its Keep line ({@link keepingExisting}).
 */
export function identityWords(identity: PlannedIdentity): string {
  return identity.kind === 'kubelet'
    ? `the ${identity.description}, by its service principal (object id ${identity.objectId}),`
    : `the ${identity.description} (object id ${identity.objectId})`;
}

/**
 * `plan` for a grant on acrbot's existing assignment of its pair, held by other requesters'
 * grants (overlap, G17; the request handler, which reads who holds it; the card says them as
 * {@link pullsThroughWords}): the run PUTs the assignment again under the same deterministic name,
 * which Azure takes as the same assignment (nothing new is made), records it as its own, and the
 * assignment is deleted only when the last grant holding it ends (role-assignment-holders.ts).
 * Not for one only ending grants name: their revocation may delete it first, and the run then
 * creates it again.
 */
export function keepingExisting(plan: GrantPlan): GrantPlan {
  const [recheck] = plan.operations;
  return {
    ...plan,
    operations: [
      ...(recheck ? [recheck] : []),
      `Keep role assignment ${plan.roleAssignmentName} (${plan.role.name} for ${identityWords(plan.identity)} on registry ${plan.registry.name}), which other acrbot grants hold: written again under the same name, nothing new is created; it is deleted only when the last grant holding it ends`,
    ],
  };
}
