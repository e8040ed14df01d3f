/**
 * `check CLUSTER REGISTRY`: a diagnosis like `az aks check-acr`, without running a pod. From
 * the inventory's cell for the pair and the registry's network settings it says which identity
 * pulls, which role(s) give pull at which scope, whether the registry's ABAC mode ignores them,
 * whether the network lets the nodes reach the registry, anonymous pull, and when access ends;
 * then one verdict sentence and the fix. Pure.
 */
import {
  acrbotNamedText,
  ACRBOT_NAMED_TEXT,
  EXPIRING_WITHIN_MS,
  isLiveRef,
  overdueEnd,
  overdueRemoval,
  pathEnd,
  requestsBehind,
  termRuns,
  type AccessCell,
  type AcrbotRequestRef,
  type InventoryCluster,
  type InventoryIdentity,
  type InventoryRegistry,
  type PullPath,
  type PullSecretPath,
  type RoleAssignmentPath,
} from './access-inventory';
import type { ClusterPowerState, RegistryNetwork } from './azure-model';
import { driftNotDone, driftWords } from './drift-reason';
import { intactDrift } from './live-drift';
import { startClusterCommand } from './kube-no-answer';
import { LISTING_LAG_GRACE_MS, notListedYetPath } from './listing-lag';
import { OTHER_TENANT_ASK_INSTEAD, OTHER_TENANT_NO_EXTEND_NOTE } from './other-tenant-words';
import { outsideGrantText } from './outside-grant';
import { dataEndpointHosts, registryReach } from './registry-reach';
import { pullRoleFor } from './roles';
import { withoutTrailing } from './text';
import { typedPair, type TypedAs } from './typed-names';

/** One line of the diagnosis. */
export interface DiagnosisFinding {
  topic:
    'cluster' | 'identity' | 'registry' | 'role' | 'abac' | 'network' | 'anonymous' | 'expiry' | 'secret' | 'drift';
  /** `ok` supports pulling, `warn` may stop it, `fail` stops it, `info` is context. */
  level: 'ok' | 'warn' | 'fail' | 'info';
  text: string;
}

/** The answer to `check`. */
export interface PullDiagnosis {
  cluster: InventoryCluster;
  registry: InventoryRegistry;
  identity?: InventoryIdentity;
  findings: DiagnosisFinding[];
  /** The cluster's nodes can pull (through a role, or anonymous pull), network permitting. */
  canPull: boolean;
  /**
   * Set when the only roles that give pull have a condition (an ABAC limit to some repositories):
   * the nodes pull what the condition allows, which acrbot does not evaluate, so `canPull` is not
   * a yes for every image.
   */
  limited?: boolean;
  /** One sentence. */
  verdict: string;
  /** What to do, often an `@acrbot …` command; undefined when nothing is needed. */
  fix?: string;
}

/** Everything {@link diagnosePull} reads. */
export interface DiagnosisInput {
  cluster: InventoryCluster;
  registry: InventoryRegistry;
  network?: RegistryNetwork;
  identity?: InventoryIdentity;
  identityProblem?: string;
  /** The inventory's cell for the pair, when it has any way of pulling. */
  cell?: AccessCell;
  /**
   * Assignments of the identity that cover the registry but whose role definition acrbot could
   * not read: not in `cell`, and whether they carry pull is unknown.
   */
  unreadRoles?: UnreadRoleAssignment[];
  /**
   * What the cluster holds of the pull secrets `check` lists ({@link listedSecrets}), keyed by
   * {@link secretKey}; read-only, by the flow. Without it (or without a secret's entry) the
   * records alone are said, as before.
   */
  secretsInCluster?: ReadonlyMap<string, SecretInCluster>;
  /**
   * How the asker named the cluster and registry (they resolved to these): the commands of the fix
   * name them the same way, else by resource id ({@link typedPair}).
   */
  typedAs?: TypedAs;
  /**
   * The object id of who asked (anyone may): only a request's requester may extend it, so the fix
   * offers `extend` to them alone. Without it (operators' tools), nobody is taken for the requester.
   */
  askedBy?: string;
  /**
   * Who asked is of another allowed tenant than acrbot's own (own-tenant.ts `isOtherTenant`):
   * every request of theirs is refused when it is made, extensions too, and the requests they are
   * shown are their tenant's (tenant-boundary.ts `cellsShown`), whose extensions are refused
   * alike. So the fix of a grant that ends soon offers no `extend`, and says what they can do
   * instead, in their expiry reminder's words ({@link OTHER_TENANT_NO_EXTEND_NOTE}); nor does any
   * other fix offer a `grant` or `secret` command: it says what would be needed, and what they
   * can do instead ({@link OTHER_TENANT_ASK_INSTEAD}).
   */
  askerOfOtherTenant?: boolean;
  /**
   * The cluster's `networkProfile.outboundType` (ClusterInfo), when ARM gave it: how its nodes'
   * traffic leaves it, which decides whether they reach the registry's public endpoint at all
   * ({@link egressFinding}).
   */
  outboundType?: string;
  /**
   * The cluster's `powerState.code` (ClusterInfo), when ARM gave it: a stopped cluster runs no
   * pods, so nothing pulls until it is started, whatever its roles allow.
   */
  powerState?: ClusterPowerState;
  now: Date;
}

/**
 * A pull secret acrbot's records name, as the cluster has it: there as acrbot wrote it
 * (`present`), deleted outside acrbot (`gone`), being deleted, another object made under its name
 * (`madeAgain`), the object acrbot wrote with other data put in (`contentsReplaced`), or not
 * checked (`notCheckedBecause` says why). Never its data.
 */
export interface SecretInCluster {
  secret: 'present' | 'gone' | 'deleting' | 'madeAgain' | 'contentsReplaced' | 'notChecked';
  notCheckedBecause?: string;
  /** Service accounts the records list it on whose `imagePullSecrets` no longer name it. */
  entryGone?: string[];
  /** Service accounts the records list it on that no longer exist. */
  accountGone?: string[];
}

/** The key of a pull secret in {@link DiagnosisInput.secretsInCluster}. */
export function secretKey(namespace: string, secretName: string): string {
  return `${namespace}/${secretName}`;
}

/** The live pull secrets `check` lists one by one (the first {@link CHECK_MAX_SECRETS}): those the flow looks for. */
export function listedSecrets(cell: AccessCell | undefined): PullSecretPath[] {
  return (cell?.paths ?? []).filter(isLiveSecret).slice(0, CHECK_MAX_SECRETS);
}

function isLiveSecret(p: PullPath): p is PullSecretPath {
  return p.kind === 'pullSecret' && (p.state === 'active' || p.state === 'expiring');
}

/** A role assignment covering the registry whose role definition could not be read. */
export interface UnreadRoleAssignment {
  assignmentId: string;
  roleDefinitionId: string;
  scopeLevel: RoleAssignmentPath['scopeLevel'];
}

const SCOPE_WORDS: Record<RoleAssignmentPath['scopeLevel'], string> = {
  registry: 'on the registry itself',
  resourceGroup: 'on its resource group',
  subscription: 'on its subscription',
  managementGroup: 'on a management group above it',
};

/**
 * Most acrbot requests {@link originText} names: the line of one assignment shared by many
 * clusters (or of one overdue after many grants) stays a line, not a card's worth of them.
 */
export const ORIGIN_MAX_REQUESTS = 5;

/**
 * "acrbot request R-… (approved by X, until DATE)", "granted outside acrbot" (with when and by
 * whom when Azure said, as `access` says it: {@link outsideGrantText}), or for an assignment under
 * acrbot's name that no record refers to, {@link ACRBOT_NAMED_TEXT} (or {@link acrbotNamedText}).
 */
export function originText(path: PullPath): string {
  if (path.kind === 'roleAssignment' && path.origin === 'outside') return outsideGrantText(path);
  if (path.kind === 'roleAssignment' && path.origin === 'acrbotNamed') return acrbotNamedText(path);
  // acrbot's, with every request behind it left out for its reader (tenant-boundary.ts cellsShown).
  if (path.kind === 'roleAssignment' && requestsBehind(path).length === 0)
    return 'by acrbot, for a request of another tenant';
  const refs = path.kind === 'roleAssignment' ? requestsBehind(path) : [path.request];
  const more = refs.length - ORIGIN_MAX_REQUESTS;
  const ended = path.kind === 'roleAssignment' ? (path.endedRequestIds?.length ?? 0) : 0;
  return [
    ...refs.slice(0, ORIGIN_MAX_REQUESTS).map(requestText),
    ...(more > 0 ? [`and ${more} more acrbot request${more === 1 ? '' : 's'}`] : []),
    // Earlier grants of the same assignment (its name is deterministic): counted, never named as holding it.
    ...(ended ? [`${ended} earlier acrbot request${ended === 1 ? '' : 's'} for it ended`] : []),
  ].join('; ');
}

/** "acrbot request R-… (approved by X, until DATE)", naming the cluster when it was for another one. */
export function requestText(ref: AcrbotRequestRef): string {
  const parts = [
    ref.approvedBy ? `approved by ${ref.approvedBy}` : undefined,
    ref.startedAsBreakGlassBy ? `break-glass by ${ref.startedAsBreakGlassBy}, without approval` : undefined,
    ref.revokingSince
      ? `being revoked since ${shortTime(ref.revokingSince)}`
      : !isLiveRef(ref)
        ? undefined // ended: the card says how (revoked, expired, removed), not the end it had
        : ref.expiresAt
          ? `until ${shortTime(ref.expiresAt)}`
          : ref.noExpiry === 'permanent'
            ? 'permanent'
            : 'no end (granted before acrbot gave access an end)',
  ].filter(Boolean);
  return `acrbot request ${ref.requestId}${ref.clusterName ? ` for cluster ${ref.clusterName}` : ''} (${parts.join(', ')})`;
}

/**
 * A request whose term still runs and keeps its access (no revocation began). A drifted one
 * counts ({@link termRuns}): behind an assignment still in Azure (the identity or mode switched
 * back, a condition added, the assignment made again under its name) acrbot's expiry deletes it
 * at that request's end, so the pull ends then, not never.
 */
function holds(ref: AcrbotRequestRef): boolean {
  return termRuns(ref) && !ref.revokingSince;
}

/** `2027-01-04 10:00 UTC`. */
export function shortTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** Most pull secrets `check` lists one by one; the rest are counted (the tab lists them all). */
export const CHECK_MAX_SECRETS = 10;
/**
 * What `check`'s "cannot pull" verdicts do not look at, said in each of them; `access` says the
 * same words when it finds nothing (access-view.ts `NOT_READ_NOTE`), so the two never disagree.
 */
export const NOT_CHECKED_WORDS = 'pull secrets and tokens made outside acrbot are not checked';

/** Most pull secrets the verdict names. */
const VERDICT_MAX_SECRETS = 3;

function grantCommand(input: DiagnosisInput): string {
  return `@acrbot grant ${typedPair(input, input.typedAs)} REASON…`;
}

/**
 * A fix that asks for new access: `own`, with its `@acrbot grant`/`secret` command, for the asker of
 * acrbot's own tenant; for one of another tenant (`askerOfOtherTenant`), whose requests are all
 * refused when made (own-tenant.ts), `other` (the same advice without the command) followed by
 * why it cannot be asked for from there and what they can do instead.
 */
function requestFix(
  input: DiagnosisInput,
  own: string,
  other: string,
  kind: 'grant' | 'pull secret' = 'grant',
): string {
  if (!input.askerOfOtherTenant) return own;
  return `${other} A ${kind} cannot be asked for from another tenant: acrbot's approvers are people of its own organisation's directory, so nobody can approve one from there. ${OTHER_TENANT_ASK_INSTEAD}`;
}

/**
 * Extending `ref`, the request the pull ends with: the command for its requester; anyone else
 * (`check` is anyone's) is told who may extend it and offered a grant of their own, since
 * `extend` refuses them. Someone of another tenant than acrbot's own (`askerOfOtherTenant`) is
 * offered neither, which would be refused (own-tenant.ts): its requester is told what their
 * expiry reminder says, anyone else of that tenant the same way on.
 */
function extendFix(input: DiagnosisInput, ref: AcrbotRequestRef): string {
  const asker = input.askedBy?.toLowerCase();
  const theirs = asker !== undefined && asker === ref.requesterId.toLowerCase();
  if (input.askerOfOtherTenant)
    return theirs
      ? OTHER_TENANT_NO_EXTEND_NOTE
      : `Neither an extension of ${ref.requestId} nor a grant of your own can be asked for from another tenant: acrbot's approvers are people of its own organisation's directory, so nobody can approve either from there. ${OTHER_TENANT_ASK_INSTEAD}`;
  if (theirs) return `Extend before it ends: @acrbot extend ${ref.requestId} REASON…`;
  return `Only ${ref.requesterName}, who asked for ${ref.requestId}, can extend it before it ends; to keep pulling after that, ask for your own grant: ${grantCommand(input)}`;
}

/** Diagnoses pulls from `registry` by `cluster`. */
export function diagnosePull(input: DiagnosisInput): PullDiagnosis {
  const { cluster, registry, identity, cell, now } = input;
  const network = input.network ?? registry.network;
  const findings: DiagnosisFinding[] = [];
  const paths = cell?.paths ?? [];
  const abac = registry.roleAssignmentMode === 'AbacRepositoryPermissions';

  if (identity) {
    findings.push({
      topic: 'identity',
      level: 'ok',
      text: `${cluster.name} pulls with its ${identity.description} ${identity.objectId}${identity.appId ? ` (app ${identity.appId})` : ''}.`,
    });
  } else {
    findings.push({
      topic: 'identity',
      level: 'fail',
      text: input.identityProblem ?? `acrbot could not determine the identity ${cluster.name} pulls with.`,
    });
  }

  // Its roles are read and judged all the same: they hold once it is started (a grant needs no
  // running cluster), so the finding qualifies the answer rather than replacing it.
  if (input.powerState === 'Stopped')
    findings.push({
      topic: 'cluster',
      level: 'warn',
      text: `${cluster.name} is stopped (its power state is Stopped): its pods cannot pull until it is started (${startClusterCommand(cluster)}); what follows holds once it runs.`,
    });

  // A registry ARM is deleting still answers pulls until it is gone, and takes every way of
  // pulling from it (role assignments on it, tokens) with it; nothing can be requested there.
  if (registry.provisioningState === 'Deleting')
    findings.push({
      topic: 'registry',
      level: 'warn',
      text: `Registry ${registry.name} is being deleted (provisioningState Deleting): pulls from it will stop, and every way of pulling from it goes with it; acrbot refuses requests for it.`,
    });

  // acrbot's grants that Azure's listing lacks but that were granted too recently to call removed.
  const unlisted = paths.filter(notListedYetPath);
  const roles = paths.filter((p): p is RoleAssignmentPath => p.kind === 'roleAssignment');
  const working = roles.filter((p) => p.honoured);
  const ignored = roles.filter((p) => !p.honoured);
  // Only roles with a condition (and no anonymous pull): pulls of the repositories the condition
  // allows, which acrbot cannot name.
  const limited = !network?.anonymousPullEnabled && working.length > 0 && working.every((p) => p.conditional);
  // The same reading of the network the inventory makes (registry-reach.ts): same facts, same words.
  const reach = registryReach(registry, network);
  for (const p of working) {
    findings.push({
      topic: 'role',
      // A correct role is no ✓ when nothing can reach the registry: under a red verdict it would
      // read as "this part works"; it is information until the network lets the cluster in.
      level: p.conditional ? 'warn' : reach.unreachable ? 'info' : 'ok',
      text: `${p.roleName} ${SCOPE_WORDS[p.scopeLevel]}${p.viaGroupId ? ` through group ${p.viaGroupId}` : ''}: ${originText(p)}.${p.conditional ? ' It has a condition, so it may cover only some repositories.' : ''}`,
    });
  }
  const unread = identity ? (input.unreadRoles ?? []) : [];
  if (unread.length)
    findings.push({
      topic: 'role',
      level: 'warn',
      text: `acrbot could not read the role definition of ${unread.map((u) => `role assignment ${lastSegment(u.assignmentId)} ${SCOPE_WORDS[u.scopeLevel]} (role ${lastSegment(u.roleDefinitionId)})`).join(', ')}: whether it carries pull is not known.`,
    });
  if (identity && roles.length === 0 && unread.length === 0)
    findings.push({
      topic: 'role',
      // A grant just made may be all that is missing (its warning below): no ✗ before Azure lists it.
      // Nor under anonymous pull's "can pull" verdict: no role is needed, so none is no problem.
      level: unlisted.length ? 'warn' : reach.anonymous ? 'info' : 'fail',
      text: `No role assignment of this identity that carries pull covers ${registry.name} (checked the registry, its resource group, subscription and management groups).`,
    });
  if (!abac && ignored.length)
    findings.push({
      topic: 'role',
      level: 'fail',
      text: `${registry.name} uses RBAC registry permissions: ${ignored.map((p) => `${p.roleName} ${SCOPE_WORDS[p.scopeLevel]}`).join(', ')} is not honoured there (its permissions give pull only on registries with ABAC repository permissions); a role with the pull action, such as AcrPull, is needed.`,
    });
  if (abac) {
    findings.push({
      topic: 'abac',
      level: ignored.length ? 'fail' : 'info',
      text: ignored.length
        ? `${registry.name} uses ABAC repository permissions: ${ignored.map((p) => `${p.roleName} ${SCOPE_WORDS[p.scopeLevel]}`).join(', ')} is not honoured there; Container Registry Repository Reader is needed.`
        : `${registry.name} uses ABAC repository permissions: only roles like Container Registry Repository Reader give pull (AcrPull and AcrPush do not).`,
    });
  }

  let secretsListed = 0;
  let secretsLeft = 0;
  for (const p of paths) {
    if (p.kind === 'endedGrant' && p.state === 'drifted')
      findings.push({
        topic: 'drift',
        level: 'warn',
        text: notListedYetPath(p)
          ? `acrbot's grant ${p.request.requestId} (${p.roleName}) is ${notListedYetText(p.request.grantedAt)}. acrbot looks again later.`
          : `acrbot's grant ${p.request.requestId} (${p.roleName}) ${driftSentence(p.request)}; ${driftNotDone(p.request.driftReason, 'does')}.`,
      });
    if (isLiveSecret(p)) {
      // One namespace each: a cluster with a secret in every namespace would make a card Teams refuses.
      if (secretsListed === CHECK_MAX_SECRETS) {
        secretsLeft++;
        continue;
      }
      secretsListed++;
      findings.push(secretFinding(p, seenOf(input, p)));
    }
  }
  if (secretsLeft)
    findings.push({
      topic: 'secret',
      level: 'info',
      text: `…and ${secretsLeft} more pull secret${secretsLeft === 1 ? '' : 's'} in other namespaces; the Access matrix tab lists them.`,
    });

  const { unreachable, denyAll } = reach;
  if (reach.finding) findings.push({ topic: 'network', ...reach.finding });
  // The cluster's side of the path: said only while something can reach the registry at all.
  const egress = unreachable ? undefined : egressFinding(cluster.name, registry, input.outboundType);
  if (egress) findings.push({ topic: 'network', level: 'warn', text: egress.text });
  if (reach.anonymousText) findings.push({ topic: 'anonymous', level: 'info', text: reach.anonymousText });

  const anonymous = Boolean(network?.anonymousPullEnabled);
  const canPull = !unreachable && (working.length > 0 || anonymous);
  // A request whose revocation began is ending now, whatever its end says: it neither sets when
  // the pull ends nor is one to extend. Its mark says so, not its state (past its end it reads
  // "expired"). What outlasts it: a role no acrbot record holds (granted outside acrbot, or only
  // named as acrbot names its grants), or one a live acrbot request still holds.
  const revoking = working.flatMap(requestsBehind).filter((r) => r.revokingSince);
  for (const r of revoking)
    findings.push({
      topic: 'expiry',
      level: 'warn',
      text: `acrbot request ${r.requestId} is being revoked (since ${shortTime(r.revokingSince!)}).`,
    });
  // An acrbot-only assignment whose access ran out and that acrbot has yet to remove (the
  // sweeper's window, or a revocation failing before it was marked): it pulls, but has ended.
  const overdue = working.flatMap((p) => {
    const ended = overdueEnd(p);
    return ended && !requestsBehind(p).some((r) => r.revokingSince) ? [ended] : [];
  });
  const lasting = working.filter(
    (p) =>
      p.origin !== 'acrbot' ||
      requestsBehind(p).some(holds) ||
      (!requestsBehind(p).some((r) => r.revokingSince) && overdueEnd(p) === undefined),
  );
  const ending = working.length > 0 && lasting.length === 0;
  // Ending only because its time ran out (no revocation began): when it ended.
  const endedAt = ending && !revoking.length ? overdue.sort()[overdue.length - 1] : undefined;
  // When each stops giving pull, leaving out requests being revoked.
  const ends = lasting.map((p) => pathEnd(p, holds));
  const end = ends.length && !ends.includes(undefined) ? ends.sort()[ends.length - 1] : undefined;
  const expiring = end !== undefined && Date.parse(end) - now.getTime() <= EXPIRING_WITHIN_MS;
  if (working.length) {
    // Nothing reaches the registry: its roles give no pull now, so their end is context (•), not
    // a ✓ under a "cannot pull" verdict, and it is the roles' access that ends, not pulling.
    const what = unreachable
      ? `${[...new Set(working.map((p) => p.roleName))].join(' and ')}'s access`
      : 'Role-based pull';
    findings.push({
      topic: 'expiry',
      level: unreachable ? 'info' : expiring || ending ? 'warn' : 'ok',
      text: endedAt
        ? `${what} ended ${shortTime(endedAt)}; ${removalText(working)}`
        : ending
          ? `${what} ends when acrbot has finished revoking it.`
          : end
            ? `${what} ends ${shortTime(end)}.`
            : `${what} has no end date.`,
    });
  }
  // The requests whose end is the end of pulling: one of this cluster's own is extended; a drifted
  // one of its own is not (drifted-access.ts refuses it), nor, when only another cluster's grant to
  // the same identity holds it, that one by this cluster's people: a new grant of the pair overlaps
  // it and keeps the pull (G17).
  const endingWith = lasting.flatMap(requestsBehind).filter((r) => holds(r) && r.expiresAt === end);
  const soonest = endingWith.find((r) => !r.clusterName && r.state !== 'drifted');
  const driftedEnd = end !== undefined && !soonest ? endingWith.find((r) => !r.clusterName) : undefined;
  const borrowedFrom = end !== undefined && !soonest && !driftedEnd ? endingWith[0]?.clusterName : undefined;
  // Only when one way in is left to the cluster, which acrbot cannot see: the firewall's IP rules
  // (a private endpoint would be another), or a private endpoint (public access closed).
  // A cluster with no egress of its own (outbound type none or block) is in the private endpoint
  // case whatever the registry allows: its public endpoint is no way in. A registry with no
  // private endpoint (or none known) offers it none: a path its network gives is all that is left.
  const firewall =
    reach.endpointOnly || egress?.endpointOnly
      ? reach.endpointOnly || (network?.privateEndpoints ?? 0) > 0
        ? ', if its nodes reach it through a private endpoint'
        : ', if its network gives its nodes a path to it'
      : reach.ipFiltered
        ? ', if its outbound IP is allowed by the firewall'
        : '';
  // Pods that reference a live pull secret pull without the node identity: a "cannot pull" verdict
  // is about the nodes only, and must say so rather than deny what those pods can do.
  // Not one the cluster shows gone or someone else's: the records alone must not promise it.
  const secrets = paths.filter(isLiveSecret).filter((p) => !BROKEN.has(seenOf(input, p)?.secret ?? 'present'));
  const secretsNamed = secrets
    .slice(0, VERDICT_MAX_SECRETS)
    .map((p) => `pull secret ${p.secretName} in namespace ${p.namespace}${asServiceAccount(p, seenOf(input, p))}`);
  const secretsMore = secrets.length - secretsNamed.length;
  const secretsText = secrets.length
    ? ` Pods that reference ${[...secretsNamed, ...(secretsMore > 0 ? [`one of ${secretsMore} more acrbot pull secrets`] : [])].join(', or ')} can pull through it${servicePrincipalCondition(secrets, registry)}.`
    : '';
  // What a "cannot pull" verdict covers: the identity's roles and acrbot's own pull secrets only,
  // so that it is not read as "nothing can pull" (a leaked credential made elsewhere still can).
  const notChecked = `${secrets.length ? '' : ", and acrbot's pull secrets give none"} (${NOT_CHECKED_WORDS})`;
  let verdict: string;
  let fix: string | undefined;
  if (unreachable) {
    verdict = `${cluster.name} cannot pull from ${registry.name}: the registry cannot be reached from any network.`;
    fix = denyAll
      ? // A virtual network rule lets a subnet past the Deny as an IP rule does (registry-reach.ts).
        `Ask the registry's owners to add an IP rule for ${cluster.name}'s outbound IP or a virtual network rule for its nodes' subnet to the registry firewall, or a private endpoint reachable from ${cluster.name}'s network.`
      : `Ask the registry's owners to enable public network access or add a private endpoint reachable from ${cluster.name}'s network.`;
  } else if (limited) {
    const first = working[0];
    verdict = `${cluster.name} can pull only those repositories of ${registry.name} that the condition on its ${first.roleName} ${SCOPE_WORDS[first.scopeLevel]} allows${firewall} — ${originText(first)}; acrbot does not evaluate conditions, so it cannot tell which.${secretsText}`;
    fix = limitedFix(input, working);
  } else if (working.length) {
    // One without a condition is the answer for every repository.
    const first = working.find((p) => !p.conditional) ?? working[0];
    verdict = `${cluster.name} can pull from ${registry.name}${firewall}: ${first.roleName} ${SCOPE_WORDS[first.scopeLevel]} — ${originText(first)}.`;
    if (ending) {
      const after = endedAt ? 'acrbot removes it' : 'the revocation';
      fix = requestFix(
        input,
        `To keep pulling after ${after}: ${grantCommand(input)}`,
        `To keep pulling after ${after}, a new grant is needed.`,
      );
    } else if (driftedEnd) {
      const ends = `It ends with acrbot request ${driftedEnd.requestId}, which acrbot does not extend: its access changed outside acrbot${driftedEnd.driftDetectedAt ? ` (noticed ${shortTime(driftedEnd.driftDetectedAt)})` : ''}; to keep pulling after that`;
      fix = requestFix(input, `${ends}: ${grantCommand(input)}`, `${ends}, a new grant is needed.`);
    } else if (borrowedFrom) {
      const ends = `It ends with the grant for cluster ${borrowedFrom}, which pulls with the same identity; to keep pulling after that`;
      fix = requestFix(input, `${ends}: ${grantCommand(input)}`, `${ends}, a grant of its own is needed.`);
    } else if (expiring && soonest) fix = extendFix(input, soonest);
  } else if (anonymous) {
    // The condition last: "can pull …, if its outbound IP is allowed" before the reason reads as
    // though the firewall were why it pulls.
    verdict = `${cluster.name} can pull from ${registry.name} because anonymous pull is enabled, not through a role${firewall}.`;
    fix = identity
      ? requestFix(
          input,
          `For access that survives turning anonymous pull off: ${grantCommand(input)}`,
          'For access that survives turning anonymous pull off, a grant is needed.',
        )
      : undefined;
  } else if (!identity) {
    verdict = `${cluster.name} cannot pull from ${registry.name} with a node identity: ${withoutTrailing(input.identityProblem ?? 'it has none acrbot can use', /^[.\s]$/)}${notChecked}.${secretsText}`;
    fix = requestFix(
      input,
      `${secrets.length ? 'For pods in another namespace, a pull secret there' : 'Use a pull secret instead'}: @acrbot secret ${typedPair(input, input.typedAs)} --namespace NAMESPACE REASON…`,
      `${secrets.length ? 'Pods in another namespace need a pull secret there' : 'A pull secret would do instead'}.`,
      'pull secret',
    );
  } else if (ignored.length) {
    const role = pullRoleFor(registry.roleAssignmentMode);
    verdict = `${cluster.name} cannot pull from ${registry.name}: its ${ignored[0].roleName} is not honoured because the registry uses ${abac ? 'ABAC repository' : 'RBAC registry'} permissions${notChecked}.${secretsText}`;
    const assigns = `acrbot assigns ${role.name} on ${abac ? 'ABAC registries' : 'registries with RBAC registry permissions'}`;
    fix = requestFix(input, `${grantCommand(input)} (${assigns}).`, `A grant is needed (${assigns}).`);
  } else if (unread.length) {
    verdict = `acrbot cannot tell whether ${cluster.name} can pull from ${registry.name}: no role it could read carries pull there, and it could not read the role of ${unread.length} assignment${unread.length === 1 ? '' : 's'} of its identity that cover${unread.length === 1 ? 's' : ''} the registry.${secretsText}`;
    fix = requestFix(input, `If pulls fail: ${grantCommand(input)}`, 'If pulls fail, a grant is needed.');
  } else if (unlisted.length) {
    // Not "cannot pull, ask for a grant": the grant was just made, and a second one would change nothing.
    verdict = `acrbot cannot tell yet whether ${cluster.name} can pull from ${registry.name}: Azure does not list the role acrbot granted in ${unlisted[0].request.requestId} yet.${secretsText}`;
    fix = `Check again in a few minutes: @acrbot check ${typedPair(input, input.typedAs)}`;
  } else {
    verdict = `${cluster.name} cannot pull from ${registry.name}: its identity has no role that carries pull on the registry${notChecked}.${secretsText}`;
    fix = requestFix(input, grantCommand(input), 'A grant would give it pull.');
  }
  // Every verdict, pulls or not: the admin user's password pulls whatever the roles above say.
  if (reach.adminUserText) verdict = `${verdict} ${reach.adminUserText}`;
  return { cluster, registry, identity, findings, canPull, ...(limited && canPull && { limited }), verdict, fix };
}

/**
 * What the cluster's outbound type (`networkProfile.outboundType`) means for reaching `registry`,
 * which acrbot cannot see past: `none` (AKS set up no egress) and `block` (egress blocked, a
 * network isolated cluster) leave the nodes a private endpoint (or a path their network provides)
 * as the only way in, so the verdict is qualified as for a registry reached only through one
 * (`endpointOnly`); `userDefinedRouting` sends their traffic through routes the customer runs,
 * usually a firewall that must allow the registry's endpoints ({@link firewallMustAllow}).
 * Undefined for a load balancer or a NAT gateway (the public path), and when ARM did not say.
 */
function egressFinding(
  clusterName: string,
  registry: Pick<InventoryRegistry, 'name' | 'loginServer' | 'location' | 'dataEndpointEnabled'>,
  outboundType: string | undefined,
): { text: string; endpointOnly: boolean } | undefined {
  switch (outboundType?.toLowerCase()) {
    case 'none':
      return {
        text: `${clusterName}'s outbound type is none: AKS set up no egress for its nodes, so they reach ${registry.name} only through a private endpoint or a path their network provides, which acrbot cannot see.`,
        endpointOnly: true,
      };
    case 'block':
      return {
        text: `${clusterName}'s outbound type is block: its nodes' egress is blocked, so they reach ${registry.name} only through a private endpoint, which acrbot cannot see.`,
        endpointOnly: true,
      };
    case 'userdefinedrouting':
      return {
        text: `${clusterName}'s egress goes through user-defined routes (outbound type userDefinedRouting), usually your firewall: it must allow ${firewallMustAllow(registry)}; acrbot cannot see it.`,
        endpointOnly: false,
      };
    default:
      return undefined;
  }
}

/**
 * What a firewall on the cluster's egress must allow to pull from `registry`: its login server
 * (manifests) and where its layers come from, which its `dataEndpointEnabled` decides. With
 * dedicated data endpoints (Premium, off unless turned on) that is LABEL.REGION.data.azurecr.io,
 * one per replica region; without them, Azure Storage (`*.blob.core.windows.net`). Both are named
 * when ARM did not say. A firewall that allows only the login server gets manifests and fails on
 * the first layer.
 */
function firewallMustAllow(
  registry: Pick<InventoryRegistry, 'name' | 'loginServer' | 'location' | 'dataEndpointEnabled'>,
): string {
  const hosts = dataEndpointHosts(registry);
  switch (registry.dataEndpointEnabled) {
    case true:
      return `${registry.loginServer} and the registry's dedicated data endpoints (${hosts}), where its layers come from`;
    case false:
      return `${registry.loginServer} and *.blob.core.windows.net, where the registry's layers come from (it has no dedicated data endpoints)`;
    default:
      return `${registry.loginServer} and where the registry's layers come from: its dedicated data endpoints (${hosts}) if they are enabled, *.blob.core.windows.net if not`;
  }
}

/**
 * Who removes role-based pull that ended and is still there (overdueRemoval): acrbot's end job,
 * the watch over an assignment a revocation left at a registry's id, or nobody — then how to
 * remove it (its id is Azure's; the finding is neutralised where it is shown).
 */
function removalText(working: RoleAssignmentPath[]): string {
  const removals = working.map((p) => ({ path: p, by: overdueRemoval(p) }));
  const nobody = removals.filter((r) => r.by?.by === 'nobody').map((r) => r.path.assignmentId);
  if (nobody.length)
    return `Azure still lists its role assignment, held by an ended acrbot grant, and nothing acrbot runs removes it now. To end it: az role assignment delete --ids ${nobody.join(' ')}`;
  const watched = removals.flatMap((r) => (r.by?.by === 'watch' ? [r.by.until] : [])).sort();
  if (watched.length)
    return `acrbot is removing it (its revocation met the registry gone from this id; acrbot looks daily until ${shortTime(watched[watched.length - 1])}).`;
  return 'acrbot is removing it.';
}

/**
 * What pulling through `secrets` rests on that `check` does not read: a `--kind sp` secret holds
 * a service principal, which pulls only while it holds a pull role on the registry (its own
 * assignment, made by acrbot, that someone may have removed since); `check` lists the cluster
 * identity's assignments only. Empty when none is one; the role named is the one the registry's
 * mode honours now.
 */
function servicePrincipalCondition(secrets: readonly PullSecretPath[], registry: InventoryRegistry): string {
  const sp = secrets.filter((p) => p.credentialKind === 'sp').length;
  if (sp === 0) return '';
  const role = `${pullRoleFor(registry.roleAssignmentMode).name} role on ${registry.name}`;
  return sp === secrets.length
    ? ` while its service principal's ${role} holds`
    : ` (through one that holds a service principal, while that service principal's ${role} holds)`;
}

/**
 * " (or run as service account X or Y)" for a pull secret listed on service accounts: pods
 * running as one get it without referencing it. Empty when none is known. Those the cluster shows
 * no longer listing it (`seen`) are left out.
 */
function asServiceAccount(path: PullSecretPath, seen?: SecretInCluster): string {
  const gone = new Set([...(seen?.entryGone ?? []), ...(seen?.accountGone ?? [])]);
  const names = (path.serviceAccounts ?? []).filter((n) => !gone.has(n));
  return names.length ? ` (or run as service account ${names.join(' or ')})` : '';
}

/** What the cluster says makes a recorded secret no way of pulling acrbot can vouch for. */
const BROKEN = new Set<SecretInCluster['secret']>(['gone', 'madeAgain', 'contentsReplaced']);

function seenOf(input: DiagnosisInput, p: PullSecretPath): SecretInCluster | undefined {
  return input.secretsInCluster?.get(secretKey(p.namespace, p.secretName));
}

/**
 * The line of one live pull secret: by acrbot's records, then what the cluster holds of it, when
 * it was read. A secret deleted or taken over outside acrbot (GitOps, a person) is said so: the
 * records alone would name it as in use. Never its data.
 */
function secretFinding(p: PullSecretPath, seen: SecretInCluster | undefined): DiagnosisFinding {
  const head = `Pull secret ${p.secretName} in namespace ${p.namespace}: ${originText(p)}`;
  const doesNotHold = 'whether pods can pull with it depends on what it holds now, which acrbot does not read';
  switch (seen?.secret) {
    case 'gone':
      return {
        topic: 'secret',
        level: 'fail',
        text: `${head}; recorded, but the secret is no longer in the cluster: deleted outside acrbot; pods using it cannot pull with it.`,
      };
    case 'madeAgain':
      return {
        topic: 'secret',
        level: 'warn',
        text: `${head}; recorded, but the secret under that name in the cluster is not the one acrbot wrote: made again outside acrbot (GitOps or a person, say); ${doesNotHold}.`,
      };
    case 'contentsReplaced':
      return {
        topic: 'secret',
        level: 'warn',
        text: `${head}; recorded, but the secret no longer holds acrbot's data: its contents were replaced outside acrbot (a GitOps sync or kubectl apply, say); ${doesNotHold}.`,
      };
    default:
      break;
  }
  const accounts = [
    ...(seen?.entryGone ?? []).map(
      (n) =>
        ` Service account ${n} no longer lists it in its imagePullSecrets (removed outside acrbot): pods running as ${n} do not get it.`,
    ),
    ...(seen?.accountGone ?? []).map((n) => ` Service account ${n} no longer exists.`),
  ].join('');
  const state =
    seen?.secret === 'deleting'
      ? ' It is being deleted in the cluster: pods cannot pull with it once it is gone.'
      : seen?.secret === 'notChecked'
        ? ` Not checked in the cluster (${seen.notCheckedBecause ?? 'no reason given'}).`
        : seen?.secret === 'present'
          ? ' It is in the cluster.'
          : '';
  return {
    topic: 'secret',
    level: seen?.secret === 'deleting' || accounts ? 'warn' : 'info',
    text: `${head}; only pods in that namespace that reference it${asServiceAccount(p, seen)} use it.${state}${accounts}`,
  };
}

/** The last segment of an ARM id (a role assignment's or role definition's GUID). */
function lastSegment(id: string): string {
  return id.split('/').pop() ?? id;
}

/**
 * Only conditioned roles give pull. A grant adds the pull role without a condition, unless the
 * identity already holds that very role on the registry with one: Azure keeps one assignment of a
 * role per identity and scope, and the grant would be refused (grant-planner.ts says the same).
 */
function limitedFix(input: DiagnosisInput, working: RoleAssignmentPath[]): string {
  const role = pullRoleFor(input.registry.roleAssignmentMode);
  const blocking = working.find(
    (p) => p.scopeLevel === 'registry' && !p.viaGroupId && p.roleGuid.toLowerCase() === role.id,
  );
  return blocking
    ? `For every repository, ask the registry's owners to remove or widen the condition on ${blocking.roleName} ${SCOPE_WORDS.registry} (${blocking.assignmentId}); Azure keeps one assignment of a role per identity and registry, so acrbot cannot add one without it.`
    : requestFix(input, `For every repository: ${grantCommand(input)}`, 'For every repository, a grant is needed.');
}

/**
 * What `check` and the access cards say of a grant Azure's listing lacks within
 * {@link LISTING_LAG_GRACE_MS} of `grantedAt` (listing-lag.ts `notListedYetPath`), after its name:
 * one definition, so the two never disagree. Lowercase, no full stop.
 */
export function notListedYetText(grantedAt: string): string {
  return `not in Azure's listing of role assignments yet: it was granted ${shortTime(grantedAt)}, and Azure can take some minutes to list a new one`;
}

/**
 * What happened to a drifted grant, with when acrbot saw it: "was removed outside acrbot on …",
 * or, when its assignment is intact, why it no longer gives pull ("removed" would send people
 * looking for an assignment that is still there).
 */
function driftSentence(request: AcrbotRequestRef): string {
  const seen = request.driftDetectedAt ? shortTime(request.driftDetectedAt) : undefined;
  if (intactDrift(request.driftReason)) return `${driftWords(request.driftReason)}${seen ? ` (noticed ${seen})` : ''}`;
  return `was removed outside acrbot${seen ? ` on ${seen}` : ''}`;
}
