/**
 * The end of a pull secret in its cluster: the secret and the `imagePullSecrets` entries acrbot
 * added are deleted only while acrbot's records prove them acrbot's for this request (G15) and no
 * later request wrote the secret again; the credential is deleted even when the cluster step
 * failed (credential-revocation.ts). Every step audited.
 */
import { isUserFacing, ResourceGoneError } from '../domain/errors';
import type { SecretPlan } from '../domain/plan';
import { type ClusterAccess, LeaseLostError } from '../domain/ports';
import type { AccessRequest, Actor } from '../domain/request';
import {
  acrbotServiceAccountEntries,
  credentialOf,
  laterWriterOf,
  replacedByStartedWrite,
  serviceAccountUidsOf,
  startedWriteFingerprints,
  writtenSecretFingerprint,
  writtenSecretUid,
} from '../domain/secret-ownership';
import { isRequestId } from '../domain/identifiers';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { type CredentialNotDeleted, keptCredentialReason, revokeCredential } from './credential-revocation';
import { leaseStop } from './lease-guard';
import { RevocationLeftError, secretLeft } from './revocation-left';

/** Why a service account's `imagePullSecrets` entry stays when the secret goes (audit and preview). */
export const ENTRY_NOT_ADDED =
  "acrbot's records do not show that acrbot added the imagePullSecrets entry; left in place";

/**
 * Ends a secret request and the extensions ending with it: every credential is deleted (or
 * kept with its reason), then the cluster clean-up; throws when that failed, so it is retried
 * and nothing is marked revoked until it is done. `stopped`: the extensions whose runs wait to
 * be resumed (refuseWhileGranting, revocation-guards.ts). `checkLeases`: the caller's lease
 * checks (the access lease, the job's), run right before each service account PATCH and each
 * credential DELETE. Nothing fences those writes. A run frozen past its leases (a GC pause, a
 * stopped VM) after its secret's DELETE, while another instance finished this revocation and a
 * newer request wrote the same secret name, would otherwise take the newer secret's
 * `imagePullSecrets` entry out when it woke: entries go by name. The credential's DELETEs go by
 * its recorded name, date and ids, which a newer request does not share; checked all the same,
 * as the run no longer holds the work. The secret's own DELETE needs no check: it is conditional
 * on the uid and resourceVersion just read. A check's {@link LeaseLostError} stops the revocation
 * at once, with nothing more sent, and is not recorded as the cluster step's failure; what was
 * sent before it (the secret's DELETE, with its Audit-Id) is recorded first.
 */
export async function revokeSecrets(
  deps: LifecycleDeps,
  request: AccessRequest,
  extensions: readonly AccessRequest[],
  by: Actor,
  stopped: ReadonlySet<string>,
  checkLeases?: () => Promise<void>,
): Promise<void> {
  const plan = request.plan as SecretPlan;
  const ending = new Set([request.id, ...extensions.map((e) => e.id)]);
  const failures: unknown[] = [];
  // What the requests whose cluster step failed left of their credentials: none deleted when
  // acrbot kept no usable record of it, or left it as not its own (G15), or cannot see its
  // registry, or found it gone already. The first of each, with its token's name.
  const undeleted = new Map<CredentialNotDeleted, string | undefined>();
  // Whether acrbot deleted the credential of one of them: then "gone already" is not the whole story.
  let deletedOne = false;
  // The service accounts whose imagePullSecrets entry is all a failed cluster step left (the
  // secret deleted); undefined once a failed one may have left the secret itself.
  let entriesLeft: Set<string> | undefined = new Set();
  // The uids acrbot recorded writing the secrets left under, for the report's check before a
  // delete by hand (revocation-left.ts); none recorded counts as one unknown.
  const writtenUids = new Set<string | undefined>();
  for (const owner of [...extensions, request]) {
    const ended = await revokeSecret(deps, owner, owner.plan as SecretPlan, by, { ending, stopped, checkLeases });
    if (!ended.clusterFailed) continue;
    failures.push(ended.failure);
    writtenUids.add(writtenSecretUid(owner));
    if (ended.credential && !undeleted.has(ended.credential)) undeleted.set(ended.credential, tokenNamed(owner));
    if (!ended.credential) deletedOne = true;
    if (!ended.entriesLeft) entriesLeft = undefined;
    for (const serviceAccount of ended.entriesLeft ?? []) entriesLeft?.add(serviceAccount);
  }
  if (!failures.length) return;
  const cause = failures.length === 1 ? failures[0] : new AggregateError(failures, 'several secrets');
  // The credential is dealt with: the approvers' report names the secret, or the entries a
  // deleted secret left, as what is left. One that was not deleted is said so, never that it was.
  const credential =
    (['kept', 'notOurs', 'unconfirmed'] as const).find((c) => undeleted.has(c)) ??
    (undeleted.has('absent') && !deletedOne ? 'absent' : 'deleted');
  const said = {
    absent: 'its credential was already gone',
    kept: 'no usable record of its credential was kept, so none was deleted',
    notOurs: "the token under its credential's name is not the one acrbot made, so none was deleted",
    unconfirmed: "its token's registry is nowhere acrbot can see, so none was deleted",
    deleted: 'its credential is deleted',
  }[credential];
  const entries = entriesLeft ? [...entriesLeft] : [];
  const step = entries.length
    ? `failed after its secret was deleted (its entry is left in the imagePullSecrets of service account ${entries.join(', ')})`
    : 'failed';
  throw new RevocationLeftError(
    `the Kubernetes clean-up of ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name} ${step}; ${said}, the clean-up is retried`,
    secretLeft(plan, credential, {
      token: credential === 'deleted' || credential === 'absent' ? undefined : undeleted.get(credential),
      ...(entries.length && { entriesLeft: entries }),
      // Every uid recorded (a request and its extension may each have one): either may be the one
      // left. A write recorded without one is left out: a secret of it fails the check, and stays.
      writtenUids: [...writtenUids].filter((uid): uid is string => !!uid),
    }),
    { cause },
  );
}

/** What {@link revokeSecret} did, for {@link revokeSecrets}' report. */
interface SecretEnded {
  /** The cluster step failed (`failure`: its error, to be retried). */
  clusterFailed: boolean;
  failure?: unknown;
  /** What the credential step did not delete ({@link revokeCredential}); undefined: acrbot deleted it. */
  credential?: CredentialNotDeleted;
  /**
   * The cluster step failed after the secret was deleted (or found gone): only the entries of
   * these service accounts' `imagePullSecrets` are left.
   */
  entriesLeft?: readonly string[];
}

/**
 * Ends one secret request: its secret and service-account entry (unless a later acrbot
 * request wrote that same object, or the cluster cannot be reached), then its credential,
 * which is deleted even when the cluster step failed: a revoke after a leak must end the
 * credential at once. Returns whether the cluster step failed, with its error (to be retried),
 * what the credential step did not delete ({@link revokeCredential}), and the entries a deleted
 * secret left; throws if the credential could not be deleted. A secret whose contents someone
 * replaced is left, and its entry, which says what became of the credential, is written once
 * the credential step has run. `ending`: the requests ending with it; `stopped`: the extensions
 * whose runs wait to be resumed ({@link removeSecret}); `checkLeases`: the lease checks
 * ({@link revokeSecrets}), whose {@link LeaseLostError} is thrown on as it is.
 */
async function revokeSecret(
  deps: LifecycleDeps,
  request: AccessRequest,
  plan: SecretPlan,
  by: Actor,
  {
    ending,
    stopped,
    checkLeases,
  }: { ending: ReadonlySet<string>; stopped: ReadonlySet<string>; checkLeases?: () => Promise<void> },
): Promise<SecretEnded> {
  const target = `${plan.cluster.id}/namespaces/${plan.namespace}/secrets/${plan.secretName}`;
  // A replacement is a PUT that keeps the uid: acrbot's records of who wrote that object, and
  // when, say whether a later request holds it now (G15). Asked of the store, not the cluster.
  const holder = laterWriterOf(request, await secretHolders(deps, plan), ending);
  let clusterFailed = false;
  let clusterFailure: unknown;
  // Not allowed to stop the credential's deletion below: a failed audit write here is logged,
  // the error itself goes to the scheduler (retried and reported).
  const failed = async (err: unknown): Promise<void> => {
    clusterFailed = true;
    clusterFailure = err;
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.secret',
      outcome: 'failed',
      targetIds: [target],
      detail: `the cluster step failed (${isUserFacing(err) ? err.code : 'unexpected error'}); ${keptCredentialReason(request) ? 'no usable record of the credential was kept, so none is deleted' : "the credential is deleted now if it is acrbot's (the access.revoke.credential entry that follows says)"}, the cluster step is retried`,
    }).catch((auditErr: unknown) =>
      deps.log.error({ err: auditErr, requestId: request.id }, 'audit of a failed secret revocation failed'),
    );
  };
  let removed: SecretRemoved = {};
  if (holder)
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.secret',
      outcome: 'kept',
      targetIds: [target],
      detail: `acrbot wrote the same secret (uid ${writtenSecretUid(request)}) again for ${holder.id}, which holds it now; secret and service-account entry left in place`,
    });
  else
    try {
      removed = await removeSecret(deps, request, plan, by, { target, stopped, checkLeases });
    } catch (err) {
      // Not the cluster's failure: another instance may hold this revocation now, and this run
      // writes nothing more (the credential's deletion included).
      if (err instanceof LeaseLostError) throw err;
      await failed(err);
    }
  if (removed.entriesLeft) await failed(removed.entriesLeft.failure);
  const { contentsReplaced } = removed;
  const credential = await revokeCredential(deps, request, by, checkLeases).catch(async (err: unknown) => {
    // Its deletion failed, and is retried: the secret's entry says so (a lost lease: nothing more).
    if (contentsReplaced && leaseStop(err) === undefined)
      await recordContentsReplaced(deps, request, by, { target, ...contentsReplaced }, 'failed');
    throw err;
  });
  if (contentsReplaced) await recordContentsReplaced(deps, request, by, { target, ...contentsReplaced }, credential);
  return {
    clusterFailed,
    failure: clusterFailure,
    ...(credential && { credential }),
    ...(removed.entriesLeft && { entriesLeft: removed.entriesLeft.serviceAccounts }),
  };
}

/**
 * The `notOurs` entry of a secret acrbot wrote whose contents someone replaced since (a GitOps
 * sync that took the name over, G15): left in place with its `imagePullSecrets` entries, and what
 * the credential step did with the credential acrbot made, as it did it (`credential`: what it
 * did not delete, `failed`: its deletion failed and is retried). Written after that step, so it
 * says what happened, not what was meant to; nothing was sent to the cluster, so nothing is lost
 * if the run stops before it (the retry finds the secret as it was, and says so).
 */
async function recordContentsReplaced(
  deps: LifecycleDeps,
  request: AccessRequest,
  by: Actor,
  { target, writtenUid }: { target: string; writtenUid: string | undefined },
  credential: CredentialNotDeleted | 'failed' | undefined,
): Promise<void> {
  const revoked = {
    kept: 'acrbot kept no usable record of the credential it made, so none is revoked',
    notOurs:
      "the token under the credential's name is not the one acrbot made, so acrbot revoked none (left in place for an operator)",
    unconfirmed:
      "acrbot cannot confirm the credential it made is revoked: its token's registry is nowhere acrbot can see",
    absent: 'the credential acrbot made was already gone, so none is revoked, and it no longer signs in',
    failed: 'the deletion of the credential acrbot made failed, and is retried',
    deleted: 'the credential acrbot made is revoked all the same',
  }[credential ?? 'deleted'];
  await recordAccessEvent(deps, request, by, {
    action: 'access.revoke.secret',
    outcome: 'notOurs',
    targetIds: [target],
    detail: `it is the object acrbot wrote (uid ${writtenUid}), but its contents were replaced by someone else since acrbot wrote it; left in place with its imagePullSecrets entries; ${revoked}`,
  });
}

/** `T on registry R`: the token `request`'s records name for its credential, for the report. */
function tokenNamed(request: AccessRequest): string | undefined {
  const ref = credentialOf(request);
  return ref?.kind === 'token' ? `${ref.tokenName} on registry ${ref.registry}` : undefined;
}

/** The acrbot requests on this cluster and registry that may hold a secret they wrote, from the store. */
export function secretHolders(deps: LifecycleDeps, plan: SecretPlan): Promise<AccessRequest[]> {
  return deps.store.listByTarget(plan.cluster.id, plan.registry.id, ['executing', 'succeeded'], 1000);
}

/**
 * The request `labelled` (the secret's label, read from the cluster: a hint) when acrbot's
 * records prove the secret is still the object acrbot wrote for `request` and the label is the
 * mark of a write that will never hold it (G15): `request` recorded the uid it wrote (the
 * removal is conditional on it), and the last write `labelled` recorded starting replaced
 * `request`'s secret, so its PUT, which keeps the uid, landed although its answer was lost. That
 * write holds nothing: `labelled` failed (its clean-up deleted its credential), or it is an
 * extension whose run waits to be resumed (`stopped`: no run under way, and a resume waits for
 * this revocation's lease) and, resumed, finds this access ended and fails. Left, the secret
 * would keep a dead credential and its `imagePullSecrets` entries for good, and refuse the next
 * request for that name. A succeeded writer recorded the uid: it is a later writer
 * ({@link laterWriterOf}) or ends with `request`. Undefined for anything else.
 */
async function unfinishedWriterOf(
  deps: LifecycleDeps,
  request: AccessRequest,
  labelled: string | undefined,
  stopped: ReadonlySet<string>,
): Promise<AccessRequest | undefined> {
  if (!labelled || !isRequestId(labelled) || !writtenSecretUid(request)) return undefined;
  const writer = await deps.store.get(labelled);
  if (!writer || !(writer.state === 'failed' || (writer.state === 'executing' && stopped.has(writer.id))))
    return undefined;
  return replacedByStartedWrite(writer)?.requestId === request.id ? writer : undefined;
}

/**
 * Deletes the secret acrbot wrote, and its entries in the `imagePullSecrets` of the service
 * accounts acrbot's records say acrbot added them to ({@link acrbotServiceAccountEntries}): an
 * entry that was there before acrbot linked the secret belongs to whoever put it there (G15).
 * A secret labelled by a write that replaced it and will never hold it ({@link unfinishedWriterOf})
 * is still the object acrbot wrote for `request`: deleted too, its entries with it. `checkLeases`
 * runs right before each service account PATCH (the port's `beforePatch`); its throw, answered
 * as the removal's `stopped`, is thrown on once what the removal did is recorded. A secret whose
 * contents were replaced is left, its entry left to the caller ({@link SecretRemoved}); a PATCH
 * that failed after the secret went is answered, with the entries left, once recorded.
 */
async function removeSecret(
  deps: LifecycleDeps,
  request: AccessRequest,
  plan: SecretPlan,
  by: Actor,
  { target, stopped, checkLeases }: { target: string; stopped: ReadonlySet<string>; checkLeases?: () => Promise<void> },
): Promise<SecretRemoved> {
  const entries = acrbotServiceAccountEntries(request);
  let access: ClusterAccess;
  try {
    access = await deps.ports.kubernetes.access(plan.cluster);
  } catch (err) {
    // A deleted cluster took the secret and its service accounts with it: nothing is left to
    // delete there, and retrying would fail for ever. The credential lives outside the cluster
    // (a token in the registry, an application in the directory) and is deleted by the caller.
    if (!(err instanceof ResourceGoneError && err.kind === 'cluster')) throw err;
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.secret',
      outcome: 'absent',
      targetIds: [target],
      detail: `${err.subject} no longer exists (Azure answered ${err.azureCode}); the secret and its imagePullSecrets entries went with it, nothing deleted there`,
      // Said once: a retry (the credential's deletion failed) finds the cluster gone again.
      idempotencyKey: `access.revoke.secret:clusterGone:${request.id}`,
    });
    return {};
  }
  // The data acrbot recorded writing, too: the object it made with someone else's data in it
  // (a GitOps sync that took the name over) is theirs now (G15). None on older records.
  const fingerprint = writtenSecretFingerprint(request);
  const removal = {
    namespace: plan.namespace,
    secretName: plan.secretName,
    serviceAccounts: entries,
    requestId: request.id,
    writtenUid: writtenSecretUid(request),
    ...(fingerprint ? { writtenFingerprints: [fingerprint] } : {}),
    serviceAccountUids: serviceAccountUidsOf(request),
    ...(checkLeases && { beforePatch: checkLeases }),
  };
  let removed = await deps.ports.kubernetes.remove(access, removal);
  const writer =
    removed.secret === 'notOurs' ? await unfinishedWriterOf(deps, request, removed.ownerRequestId, stopped) : undefined;
  // Still conditional on the uid acrbot recorded writing for this request; the label is the
  // writer's now, and so is the data: what one of its started writes was about to put in.
  if (writer) {
    const started = startedWriteFingerprints(writer);
    removed = await deps.ports.kubernetes.remove(access, {
      ...removal,
      requestId: writer.id,
      writtenFingerprints: started.complete ? started.fingerprints : undefined,
    });
  }
  // Nothing was sent to the cluster (no DELETE, no PATCH): its entry says what became of the
  // credential, so it waits for the credential step (recordContentsReplaced).
  if (removed.secret === 'notOurs' && removed.contentsReplaced)
    return { contentsReplaced: { writtenUid: removal.writtenUid } };
  await recordAccessEvent(deps, request, by, {
    action: 'access.revoke.secret',
    outcome: removed.secret,
    targetIds: [target],
    detail:
      removed.secret === 'notOurs'
        ? removed.ownerRequestId
          ? `its label names ${removed.ownerRequestId}; left in place`
          : 'not written by acrbot for this request; left in place'
        : writer
          ? `labelled by ${writer.id}, whose write into this secret (uid ${removal.writtenUid}) replaced this request's; it ${writer.state === 'failed' ? 'failed' : 'waits to be resumed and fails then'}`
          : undefined,
    // Said once: a retry (the credential's deletion failed) finds the secret gone again.
    ...(removed.secret === 'absent' && { idempotencyKey: `access.revoke.secret:absent:${request.id}` }),
    // The DELETE's Audit-Id (a 404's too), as a credential's entry carries ARM's and Graph's ids.
    ...(removed.requestId && { correlationIds: [removed.requestId] }),
  });
  const serviceAccountId = (name: string) => `${plan.cluster.id}/namespaces/${plan.namespace}/serviceaccounts/${name}`;
  const patchIds = removed.serviceAccountRequestIds ?? {};
  for (const serviceAccount of removed.serviceAccountsPatched)
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.serviceAccount',
      outcome: 'patched',
      targetIds: [serviceAccountId(serviceAccount)],
      // The PATCH's Audit-Id, which finds the call in the cluster's audit log.
      ...(Object.hasOwn(patchIds, serviceAccount) && { correlationIds: [patchIds[serviceAccount]] }),
    });
  for (const serviceAccount of removed.serviceAccountsAbsent)
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.serviceAccount',
      outcome: 'absent',
      targetIds: [serviceAccountId(serviceAccount)],
      detail: 'the service account no longer exists; no entry to take out',
    });
  // GitOps or Helm put the list back as their source has it: nothing of acrbot's is left there.
  for (const serviceAccount of removed.serviceAccountsNoEntry ?? [])
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.serviceAccount',
      outcome: 'absent',
      targetIds: [serviceAccountId(serviceAccount)],
      detail: 'the entry was already gone from its imagePullSecrets; nothing to take out',
      // Said once: a retry finds it gone again (or gone since an earlier attempt took it out).
      idempotencyKey: `access.revoke.serviceAccount:noEntry:${request.id}:${serviceAccount}`,
    });
  for (const serviceAccount of removed.serviceAccountsNotOurs ?? [])
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.serviceAccount',
      outcome: 'kept',
      targetIds: [serviceAccountId(serviceAccount)],
      detail:
        "the service account was deleted and made again since acrbot added the entry (another uid); its entries are not acrbot's; left in place",
    });
  if (plan.serviceAccount && !entries.includes(plan.serviceAccount) && removed.secret === 'deleted')
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.serviceAccount',
      outcome: 'kept',
      targetIds: [serviceAccountId(plan.serviceAccount)],
      detail: ENTRY_NOT_ADDED,
    });
  // The secret is gone; an entry left is taken out by the retry (the secret is then absent).
  if (removed.serviceAccountFailure)
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.serviceAccount',
      outcome: 'failed',
      targetIds: [serviceAccountId(removed.failedServiceAccount ?? '')],
      detail: isUserFacing(removed.serviceAccountFailure) ? removed.serviceAccountFailure.code : 'unexpected error',
    });
  // A lease check stopped it before a PATCH, after the secret's DELETE: recorded above, as the
  // retry finds the secret gone and could not say who deleted it, or when. Now the run stops
  // with the check's error (its LeaseLostError, not the cluster step's failure).
  if (removed.stopped) throw removed.stopped.cause;
  if (!removed.serviceAccountFailure) return {};
  // The secret is gone: what is left is the entry in each account acrbot added it to that was
  // neither patched nor found without it (nor gone, nor made again): the failed one, and any
  // other that failed after it.
  const dealtWith = new Set([
    ...removed.serviceAccountsPatched,
    ...removed.serviceAccountsAbsent,
    ...(removed.serviceAccountsNoEntry ?? []),
    ...(removed.serviceAccountsNotOurs ?? []),
  ]);
  return {
    entriesLeft: {
      serviceAccounts: entries.filter((serviceAccount) => !dealtWith.has(serviceAccount)),
      failure: removed.serviceAccountFailure,
    },
  };
}

/** What {@link removeSecret} leaves its caller ({@link revokeSecret}) to finish. */
interface SecretRemoved {
  /**
   * The object acrbot wrote, with someone else's data in it now (G15): left, with nothing sent;
   * its entry waits for the credential step ({@link recordContentsReplaced}).
   */
  contentsReplaced?: { writtenUid: string | undefined };
  /**
   * The secret is gone, and taking its entry out of a service account's `imagePullSecrets`
   * failed (`failure`: the first such error, recorded): the entries of `serviceAccounts` are left.
   */
  entriesLeft?: { serviceAccounts: string[]; failure: Error };
}
