/**
 * Which pull secret acrbot may replace, and which credentials it may delete (G15). The answer
 * comes only from acrbot's own request records: a label or annotation read back from a cluster
 * is a hint anyone with write access to the namespace can forge.
 */
import { createHash } from 'node:crypto';
import { formatUtc } from './access-term';
import {
  foreignHolders,
  foreignHoldersSentence,
  type ApplicationHoldings,
  type OwnHoldings,
} from './application-holders';
import { isGuid, isRequestId } from './identifiers';
import { FOREIGN_SECRET_WAY_ON, LEGACY_WRITER_WAY_ON } from './new-secret-way-on';
import type { PlannedReplacement, SecretPlan } from './plan';
import type { AccessRequest, CreatedObject, Outcome } from './request';
import { sameResourceId } from './resource-id';
import type { CredentialRef } from './secret-credential';
import { decodeCredentialRef, tokenNameFor } from './secret-credential';

/** What the cluster says about a secret that already exists (hints only). */
export interface ExistingSecret {
  /** Value of the `acrbot.io/request-id` label, if any. */
  requestIdLabel?: string;
  /** `app.kubernetes.io/managed-by` label. */
  managedBy?: string;
  /** `metadata.creationTimestamp`. */
  createdAt?: string;
  /** Field managers that wrote it (`metadata.managedFields[].manager`), e.g. `kubectl-client-side-apply`. */
  writers: string[];
  /** `metadata.resourceVersion`: the replace is conditional on it. */
  resourceVersion?: string;
  /** `metadata.uid`: which object it is (compared with the uid acrbot recorded when it wrote one). */
  uid?: string;
  /**
   * {@link secretDataFingerprint} of its data as the same read found it (never the data itself):
   * compared with the one acrbot recorded when it wrote the secret. A GitOps sync or `kubectl
   * apply` that takes the name over patches the object acrbot made (same uid, acrbot's labels
   * kept, as they are not in the applied manifest) and puts its own data in.
   */
  dataFingerprint?: string;
  /**
   * The object's metadata as the same read found it, at {@link resourceVersion} (never its data):
   * what a replace keeps of what others put there, handed to the write so it need not read the
   * secret again ({@link SecretMetadataSeen}).
   */
  metadata?: SecretMetadataSeen;
}

/** An owner of a Kubernetes object (`metadata.ownerReferences[]`), as the API server keeps it. */
export interface OwnerReferenceSeen {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * The metadata of a secret others may have added to (a scanner's annotation, a policy engine's
 * label, a finalizer, an owner), as a check read it: never the data, nor
 * `kubectl.kubernetes.io/last-applied-configuration`, which may quote it. Labels and annotations
 * as read, acrbot's own included (the write sets those afresh).
 */
export interface SecretMetadataSeen {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReferenceSeen[];
}

/** States in which a request's secret is acrbot's and may be rotated. */
const REPLACEABLE_STATES = new Set(['succeeded', 'revoked']);

/** True when two secret plans write the same secret from the same registry. */
export function sameSecretTarget(a: SecretPlan, b: SecretPlan): boolean {
  return (
    sameResourceId(a.cluster.id, b.cluster.id) &&
    a.namespace === b.namespace &&
    a.secretName === b.secretName &&
    sameResourceId(a.registry.id, b.registry.id)
  );
}

/**
 * A fingerprint of a secret's `data` (its values base64-encoded, as the Kubernetes API carries
 * them): `sha256:` and the hex SHA-256 of every key with its decoded bytes, keys in order.
 * Whether the secret still holds what acrbot wrote, without keeping what it wrote: the docker
 * config holds a fresh random password, which the hash does not give away. Undefined without data.
 */
export function secretDataFingerprint(data: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!data) return undefined;
  // Decoded and encoded again, so two spellings of the same bytes hash alike.
  const entries = Object.keys(data)
    .sort()
    .map((key) => [key, Buffer.from(data[key] ?? '', 'base64').toString('base64')]);
  return `sha256:${createHash('sha256').update(JSON.stringify(entries)).digest('hex')}`;
}

/** {@link secretDataFingerprint} of the secret acrbot writes with `dockerConfigJson` as its only data. */
export function dockerConfigFingerprint(dockerConfigJson: string): string {
  return secretDataFingerprint({ '.dockerconfigjson': Buffer.from(dockerConfigJson).toString('base64') })!;
}

/** The request id the label names, if it has a request id's shape (only then is the store asked). */
export function labelledRequestId(existing: ExistingSecret): string | undefined {
  const label = existing.requestIdLabel;
  return label && isRequestId(label) ? label : undefined;
}

/**
 * Decision about an existing secret. `ownWrite`: it holds an earlier attempt of this very
 * request's write (the caller finishes what that write replaced).
 */
export type ReplaceDecision =
  | { replace: true; previous?: AccessRequest; ownWrite?: true }
  | { replace: false; reason: string; code: 'kubernetes.foreignSecret' };

/**
 * Decides whether `request` may replace the secret that exists: only when its label names one
 * of acrbot's requests (`labelled`, read from the store) for the same cluster, namespace, secret
 * name and registry, whose records say it wrote this object (uid) with the data it holds now
 * (fingerprint, where recorded). A label a policy engine took off (or changed) does not make
 * acrbot's own secret someone else's: `recordedWriter`, the request acrbot's records say wrote
 * this secret for the access (its original or last extension, or the request the approved plan
 * replaces), vouches for it by the same uid and fingerprint ({@link vouchedByRecords}). Anything
 * else is refused with a sentence saying whose secret it seems to be.
 */
export function decideReplacement(
  request: AccessRequest,
  existing: ExistingSecret,
  labelled: AccessRequest | undefined,
  recordedWriter?: AccessRequest,
): ReplaceDecision {
  // Exactly the data an earlier attempt of this request was about to write (a fresh password
  // nobody else has): that write landed, whatever its label says now.
  const started = startedWriteFingerprints(request);
  if (existing.dataFingerprint && started.fingerprints.includes(existing.dataFingerprint))
    return { replace: true, ownWrite: true };
  const byLabel = decideByLabel(request, existing, labelled);
  const id = labelledRequestId(existing);
  // The label names the writer itself: its refusal says it all.
  if (byLabel.replace || !recordedWriter || id === request.id || id === recordedWriter.id) return byLabel;
  return vouchedByRecords(request, existing, recordedWriter, existing.requestIdLabel !== undefined) ?? byLabel;
}

/** The sentence of a secret that is acrbot's object but holds someone else's data now (`whose`: the request acrbot wrote it for). */
const contentsReplaced = (whose: string) =>
  `but its contents were replaced by someone else since acrbot wrote it for ${whose} (the same object with other data, as a GitOps sync or kubectl apply leaves it).`;

/** {@link decideReplacement} by the label: the request it names must vouch for the object and its data. */
function decideByLabel(
  request: AccessRequest,
  existing: ExistingSecret,
  labelled: AccessRequest | undefined,
): ReplaceDecision {
  const plan = request.plan as SecretPlan;
  const where = `Secret ${plan.namespace}/${plan.secretName} already exists in cluster ${plan.cluster.name}`;
  const seems = whoseSecret(existing);
  const refuse = (why: string): ReplaceDecision => ({
    replace: false,
    code: 'kubernetes.foreignSecret',
    reason: `${where}, ${why} ${seems} acrbot will not overwrite it or delete any credential it names; ${FOREIGN_SECRET_WAY_ON}`,
  });
  const id = labelledRequestId(existing);
  if (!id) return refuse('and acrbot has no record of making it.');
  if (id === request.id) {
    // Its own label: an earlier run of this request wrote it (a crash or a take-over after the
    // write) only if that run recorded starting the write; anyone can copy a request id.
    if (!recorded(request.created ?? [], 'pullSecretWriteStarted', (o) => o.id === pullSecretRecordId(plan)))
      return refuse(`and its label names this request (${id}), which has not written it.`);
    // Every started write recorded what it was about to write, and the secret holds none of it.
    // Records made before fingerprints were kept go by the label and the record, as before.
    const started = startedWriteFingerprints(request);
    if (started.complete && !started.fingerprints.includes(existing.dataFingerprint ?? ''))
      return refuse(`and its label names this request, ${contentsReplaced(id)}`);
    return { replace: true, ownWrite: true };
  }
  if (!labelled) return refuse(`and its label names request ${id}, which acrbot has no record of.`);
  if (labelled.plan.kind !== 'secret') return refuse(`and its label names request ${id}, which was not a pull secret.`);
  if (!sameSecretTarget(labelled.plan, plan))
    return refuse(
      `and its label names request ${id}, which acrbot made for ${labelled.plan.namespace}/${labelled.plan.secretName} in ${labelled.plan.cluster.name} from registry ${labelled.plan.registry.name}, not this secret from ${plan.registry.name}.`,
    );
  if (!REPLACEABLE_STATES.has(labelled.state))
    return refuse(`and its label names request ${id}, which never wrote a secret (it is ${labelled.state}).`);
  // The label can be copied onto any secret; the uid recorded when acrbot wrote it cannot. A
  // request recorded before uids were kept leaves nothing but the label to go by (G15): that is
  // enough only to rotate the access's own secret (see sameAccess), and refused for anyone else.
  const written = writtenSecretUid(labelled);
  if (!written)
    return sameAccess(request, labelled)
      ? { replace: true, previous: labelled }
      : {
          replace: false,
          code: 'kubernetes.foreignSecret',
          reason: legacyWriterSentence(plan, labelled, 'run'),
        };
  if (existing.uid !== written)
    return refuse(
      `and its label names request ${id}, but it is not the secret acrbot wrote for ${id} (that one was deleted or replaced since).`,
    );
  // The object acrbot wrote, but not its data: someone took the name over in place (G15). A
  // request recorded before fingerprints were kept goes by the uid, as before.
  const fingerprint = writtenSecretFingerprint(labelled);
  if (fingerprint && existing.dataFingerprint !== fingerprint)
    return refuse(`and its label names request ${id}, ${contentsReplaced(id)}`);
  return { replace: true, previous: labelled };
}

/**
 * {@link decideReplacement} by acrbot's records alone, when the label does not vouch (taken off,
 * or changed, by a policy engine): the secret is `writer`'s when it is the object `writer`
 * recorded writing (uid) with the data it recorded writing (fingerprint); the replace puts
 * acrbot's label back. A `writer` recorded before fingerprints were kept vouches by its uid only
 * when the label is gone (a label naming something else keeps acrbot careful). Undefined when the
 * records say nothing of this object (the label's refusal stands); a refusal when it is `writer`'s
 * object with someone else's data.
 */
function vouchedByRecords(
  request: AccessRequest,
  existing: ExistingSecret,
  writer: AccessRequest,
  labelPresent: boolean,
): ReplaceDecision | undefined {
  const plan = request.plan as SecretPlan;
  if (writer.id === request.id || writer.plan.kind !== 'secret' || !sameSecretTarget(writer.plan, plan)) return;
  if (!REPLACEABLE_STATES.has(writer.state)) return;
  const uid = writtenSecretUid(writer);
  if (!uid || existing.uid !== uid) return;
  const fingerprint = writtenSecretFingerprint(writer);
  if (!fingerprint) return labelPresent ? undefined : { replace: true, previous: writer };
  if (existing.dataFingerprint === fingerprint) return { replace: true, previous: writer };
  const where = `Secret ${plan.namespace}/${plan.secretName} already exists in cluster ${plan.cluster.name}`;
  return {
    replace: false,
    code: 'kubernetes.foreignSecret',
    reason: `${where}: it is the object acrbot wrote for request ${writer.id}, ${contentsReplaced(writer.id)} ${whoseSecret(existing)} acrbot will not overwrite it or delete any credential it names; ${FOREIGN_SECRET_WAY_ON}`,
  };
}

/**
 * Whether `request` extends the very access `labelled` belongs to: `labelled` is the request it
 * extends, or an earlier extension of that request. Such a request rotates its own access's
 * secret, so a writer recorded before secret uids were kept (label and store record of the same
 * target, no uid) is enough to replace it. The risk G15 guards against is a label copied from
 * ANOTHER request onto a secret, which would have acrbot overwrite it and retire that request's
 * credential; here the residual risk is a secret someone planted under this access's own label at
 * the very namespace and name the access was approved for: the extension overwrites it with a
 * credential for that same access, and retires the credential the access held (which the
 * extension replaces in any case). That is no more than the revocation of such a request already
 * trusts (it deletes by those labels, PullSecretPort.remove without a uid), and the extension's
 * write records the uid, so later rotations are bound to the object again.
 */
export function sameAccess(request: AccessRequest, labelled: AccessRequest): boolean {
  const original = request.extendsRequestId;
  return !!original && (labelled.id === original || labelled.extendsRequestId === original);
}

/**
 * The refusal of a request that would replace the secret `writer` wrote before acrbot kept secret
 * uids, when it does not extend `writer`'s access ({@link sameAccess}): it is acrbot's secret by
 * its label and records, but nothing proves the object there is the one written, so only that
 * access may rotate it. `when`: said by the planner (nothing asked yet) or by the run (nothing
 * done). How to go on: the writer's requester extends their access (it rotates the secret), or
 * revokes it (its revocation deletes the secret) so the new request can create it; or another name.
 * A writer revoked already can do neither: the secret is deleted by hand, or another name chosen.
 */
export function legacyWriterSentence(plan: SecretPlan, writer: AccessRequest, when: 'plan' | 'run'): string {
  const done =
    when === 'plan'
      ? 'so this request cannot replace it and was not made'
      : 'so acrbot did not overwrite it or delete the credential it holds';
  const secret = `Secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name}`;
  // A revoked writer can be neither extended nor revoked again: its revocation should have
  // deleted the secret, so the one there is for a person to look at and remove.
  if (writer.state === 'revoked')
    return `${secret} carries the label of request ${writer.id} (by ${writer.requester.name}), which acrbot wrote before it recorded which secret object it wrote and which was revoked since, so nothing proves this is that secret; ${done}. Delete the secret in the cluster once nothing uses it, ${LEGACY_WRITER_WAY_ON}`;
  return `${secret} is the one acrbot wrote for request ${writer.id} (by ${writer.requester.name}) before it recorded which secret object it wrote; only an extension of ${writer.id} may rotate it, ${done}. ${writer.requester.name} can extend ${writer.id} (that puts a new credential into the secret), or revoke it (that deletes the secret) and ${LEGACY_WRITER_WAY_ON}`;
}

/** What a plan records of the request whose secret it replaces (`previous`): its id and the uid acrbot wrote. */
export function plannedReplacementOf(previous: AccessRequest): PlannedReplacement {
  const uid = writtenSecretUid(previous);
  return { requestId: previous.id, ...(uid ? { uid } : {}) };
}

/**
 * Why `request` must not replace the secret of `previous` (an acrbot request {@link decideReplacement}
 * accepted), or undefined: the approver saw what the plan replaces, so the run replaces that and
 * nothing else (G15). The secret may have been written by another request since the plan (a race),
 * or the planner may not have found it. An extension replaces its original's secret, which the newest
 * extension of that original may have written since (its card says so: the rotation). A plan stored
 * before the field existed, or whose records were incomplete, replaces nobody's.
 */
export function replacementNotPlanned(
  request: AccessRequest,
  previous: AccessRequest,
  existing: ExistingSecret,
): string | undefined {
  const plan = request.plan as SecretPlan;
  const original = request.extendsRequestId;
  if (original)
    return previous.id === original || previous.extendsRequestId === original
      ? undefined
      : `this request extends ${original}, not ${previous.id}`;
  const planned = plan.replaces;
  // A plan stored before `replaces` was recorded: its card showed what it replaces in the line
  // replacesLine builds from fields of the replaced request that never change, so that line
  // still says which request's secret the approver saw it replace (the uid check was made by
  // decideReplacement against that request's records).
  if (planned === undefined)
    return plan.operations.includes(replacesLine(previous))
      ? undefined
      : 'the approved plan does not record which secret it replaces';
  if (planned === null) return 'the approved plan replaces no secret';
  if (planned.requestId !== previous.id) return `the approved plan replaces the secret of ${planned.requestId}`;
  if (planned.uid !== undefined && existing.uid !== planned.uid)
    return `the approved plan replaces the secret acrbot wrote for ${planned.requestId}, and this is another object`;
  return undefined;
}

/**
 * The refusal of a run whose secret is now another request's than the approved plan replaces
 * (`why`, from {@link replacementNotPlanned}): nothing was created, nothing is overwritten or deleted.
 */
export function replacementNotPlannedSentence(
  request: AccessRequest,
  previous: AccessRequest,
  why: string,
  /** An earlier attempt of this request created a credential (its records say so): the caller says what became of it. */
  earlierCredential = false,
): string {
  const plan = request.plan as SecretPlan;
  const done = earlierCredential
    ? 'acrbot did not overwrite it or delete the credential it holds, and created nothing new.'
    : 'acrbot did not overwrite it, delete any credential, or create anything.';
  return `Secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name} is now the one acrbot wrote for request ${previous.id} (by ${previous.requester.name}), but ${why}. ${done} Ask again: the new request's card shows which secret it replaces, for the approver to see.`;
}

/**
 * The uid of the pull secret acrbot wrote for `request`, from its own `created` records
 * (undefined for requests recorded before uids were kept, and for grants).
 */
export function writtenSecretUid(request: AccessRequest): string | undefined {
  return writtenSecretRecord(request)?.uid;
}

/**
 * The {@link secretDataFingerprint} of what acrbot last wrote into `request`'s secret, from its
 * own `created` records (undefined for records made before fingerprints were kept).
 */
export function writtenSecretFingerprint(request: AccessRequest): string | undefined {
  const fingerprint = writtenSecretRecord(request)?.dataFingerprint;
  return typeof fingerprint === 'string' ? fingerprint : undefined;
}

/**
 * The fingerprints of what each started write of `request`'s secret was about to write (a write
 * whose answer was lost, or whose run stopped before recording it, may have landed):
 * `complete` when every one of them recorded one (there was at least one).
 */
export function startedWriteFingerprints(request: AccessRequest): { fingerprints: string[]; complete: boolean } {
  if (request.plan.kind !== 'secret') return { fingerprints: [], complete: false };
  const id = pullSecretRecordId(request.plan);
  const started = (request.created ?? []).filter((o) => o.kind === 'pullSecretWriteStarted' && o.id === id);
  const own = started.map((o) => o.dataFingerprint).filter(isString);
  // Each record replaces the one before it: the earlier attempts' fingerprints are carried in it.
  const carried = started.flatMap((o) => o.earlierDataFingerprints ?? []);
  return {
    fingerprints: [...new Set([...carried, ...own])],
    complete: started.length > 0 && own.length === started.length,
  };
}

/**
 * When acrbot last wrote `request`'s secret, by its records (its last update for requests recorded
 * before those records): of the requests that wrote one secret, the latest writer holds it.
 */
export function secretWrittenAt(request: AccessRequest): string {
  return writtenSecretRecord(request)?.recordedAt ?? request.updatedAt;
}

/** The store record of the pull secret acrbot wrote for `request` (the last one, if a resumed run wrote again). */
function writtenSecretRecord(request: AccessRequest): CreatedObject | undefined {
  if (request.plan.kind !== 'secret') return undefined;
  const id = pullSecretRecordId(request.plan);
  return (request.created ?? []).findLast((o) => o.kind === 'pullSecret' && o.id === id);
}

/** States in which a request that wrote a secret may still hold it. */
const HOLDING_STATES = new Set(['executing', 'succeeded']);

/**
 * The acrbot request that wrote the very secret object `request` wrote, at the same time or
 * later, and may still hold it: `candidates` are read from the store. A replacement is a PUT,
 * which keeps the Kubernetes uid, so the uid alone cannot tell the two writes apart; the store
 * records of who wrote that uid, and when, can (G15). Requests `request` extends wrote before
 * it (its rotation replaced theirs), and `ignore` lists requests ending together with it, so
 * neither holds it. A tie in time is broken the same way from either side ({@link wroteAfter}),
 * so exactly one of the two holds the secret and deletes it when it ends. A later writer of
 * another object holds it too when its records say it replaced `request`'s secret, deleted
 * outside acrbot before (see {@link deletedSecretReplacementProblem}): the new object has that
 * name, and the service-account entries `request` added are the later writer's now.
 */
export function laterWriterOf(
  request: AccessRequest,
  candidates: readonly AccessRequest[],
  ignore: ReadonlySet<string> = new Set(),
): AccessRequest | undefined {
  const plan = request.plan;
  const mine = writtenSecretRecord(request);
  if (plan.kind !== 'secret' || !mine?.uid) return undefined;
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const ancestors = new Set<string>();
  for (let id = request.extendsRequestId; id && !ancestors.has(id); id = byId.get(id)?.extendsRequestId)
    ancestors.add(id);
  return candidates.find((other) => {
    if (other.id === request.id || ignore.has(other.id) || ancestors.has(other.id)) return false;
    if (!HOLDING_STATES.has(other.state) || other.plan.kind !== 'secret' || !sameSecretTarget(other.plan, plan))
      return false;
    const theirs = writtenSecretRecord(other);
    if (!theirs || !wroteAfter(other, theirs, request, mine)) return false;
    // Another object when `request`'s was deleted outside acrbot: the write that followed recorded
    // replacing `request` (its approved plan named it) and carries its service-account entries on.
    return theirs.uid === mine.uid || replacedByStartedWrite(other)?.requestId === request.id;
  });
}

/**
 * Whether `other`'s write of a secret object came after `request`'s. Two writes recorded in the
 * same millisecond are ordered the same way from either side, or each request would take the
 * other for the later writer and both would leave the secret when they end: the one whose
 * started write recorded replacing the other came later; else the greater request id.
 */
function wroteAfter(other: AccessRequest, theirs: CreatedObject, request: AccessRequest, mine: CreatedObject): boolean {
  const [t, m] = [Date.parse(theirs.recordedAt), Date.parse(mine.recordedAt)];
  if (t !== m) return t > m;
  if (replacedByStartedWrite(other)?.requestId === request.id) return true;
  if (replacedByStartedWrite(request)?.requestId === other.id) return false;
  return other.id > request.id;
}

/**
 * The service accounts whose `imagePullSecrets` entry for `request`'s secret acrbot added, by
 * acrbot's own records only (G15): what its run recorded (the entries it added and those of the
 * acrbot requests whose secret object it replaced). A request recorded before that list existed
 * vouches only for its own patch. An entry that was there before acrbot linked the secret is
 * someone else's and is never in it.
 */
export function acrbotServiceAccountEntries(request: AccessRequest): string[] {
  const secret = request.outcome?.secret;
  if (request.plan.kind !== 'secret' || !secret) return [];
  const added =
    secret.serviceAccounts ??
    (secret.serviceAccountPatched && request.plan.serviceAccount ? [request.plan.serviceAccount] : []);
  // A link whose result nobody could tell: the entry may be acrbot's, and nobody else's record
  // vouches for it, so the revocation takes it out if it is there.
  const unknown = Object.entries(secret.serviceAccountLinks ?? {})
    .filter(([, link]) => link?.unknown === true)
    .map(([name]) => name);
  return unknown.length ? [...new Set([...added, ...unknown])] : added;
}

/** The uid acrbot recorded for each service account whose entry is acrbot's (none on older records). */
export function serviceAccountUidsOf(request: AccessRequest): Record<string, string> {
  const links = request.plan.kind === 'secret' ? request.outcome?.secret?.serviceAccountLinks : undefined;
  return Object.fromEntries(
    Object.entries(links ?? {}).flatMap(([name, link]) => (typeof link?.uid === 'string' ? [[name, link.uid]] : [])),
  );
}

/**
 * The `serviceAccountLinks` a secret write leaves to acrbot's records: the uids of `entries`
 * (see {@link serviceAccountEntriesAfterWrite}) that `replaced` recorded, and the plan's service
 * account as this write found it (`link`): added (or counted as acrbot's, `patched`) with its uid,
 * or with an unknown result. Undefined when there is nothing to keep.
 */
export function serviceAccountLinksAfterWrite(
  plan: SecretPlan,
  link: { patched: boolean; uid?: string; unknown?: boolean },
  entries: readonly string[],
  replaced: AccessRequest | undefined,
): NonNullable<Outcome['secret']>['serviceAccountLinks'] {
  const links: NonNullable<NonNullable<Outcome['secret']>['serviceAccountLinks']> = {};
  const theirs = replaced ? serviceAccountUidsOf(replaced) : {};
  for (const name of entries) if (Object.hasOwn(theirs, name)) links[name] = { uid: theirs[name] };
  const own = plan.serviceAccount;
  if (own && link.patched && link.uid) links[own] = { uid: link.uid };
  else if (own && link.unknown && !entries.includes(own))
    links[own] = { ...(link.uid ? { uid: link.uid } : {}), unknown: true };
  return Object.keys(links).length ? links : undefined;
}

/**
 * The entries a secret write leaves to acrbot's records: those of `replaced` (the acrbot request
 * whose secret object the write replaced: a PUT keeps the object, and the entries pointing at it
 * stay acrbot's), and the plan's service account when this write added it (`patched`).
 */
export function serviceAccountEntriesAfterWrite(
  plan: SecretPlan,
  patched: boolean,
  replaced: AccessRequest | readonly string[] | undefined,
): string[] {
  const own = patched && plan.serviceAccount ? [plan.serviceAccount] : [];
  const theirs = !replaced ? [] : isEntryList(replaced) ? replaced : acrbotServiceAccountEntries(replaced);
  return [...new Set([...theirs, ...own])];
}

function isEntryList(value: AccessRequest | readonly string[]): value is readonly string[] {
  return Array.isArray(value);
}

/**
 * The `pullSecretWriteStarted` record as the secret runner writes it, before the write: with the
 * acrbot request whose secret object the write replaces and that request's service-account
 * entries (`replaces`), and the service account whose entry the write adds (`linksServiceAccount`);
 * see {@link CreatedObject}. Never a reason to delete the secret.
 */
export interface WriteStartedRecord extends CreatedObject {
  kind: 'pullSecretWriteStarted';
}

/** The record to write before the secret write of `plan` (replacing `previous`'s secret, if any). */
export function writeStartedRecord(
  plan: SecretPlan,
  previous: AccessRequest | undefined,
  previousEntries: readonly string[] = previous ? acrbotServiceAccountEntries(previous) : [],
  linksServiceAccount?: string,
  /** {@link dockerConfigFingerprint} of what the write is about to put in. */
  dataFingerprint?: string,
  /**
   * The fingerprints of the request's earlier started writes ({@link startedWriteFingerprints} of
   * the request as recorded so far): any of them may be what the secret holds, and this record
   * replaces theirs.
   */
  earlier: readonly string[] = [],
): Omit<WriteStartedRecord, 'recordedAt'> {
  const carried = [...new Set(earlier.filter((f) => f !== dataFingerprint))].slice(-MAX_CARRIED_FINGERPRINTS);
  return {
    kind: 'pullSecretWriteStarted',
    id: pullSecretRecordId(plan),
    name: plan.secretName,
    ...(previous ? { replaces: { requestId: previous.id, serviceAccounts: [...previousEntries] } } : {}),
    ...(linksServiceAccount ? { linksServiceAccount } : {}),
    ...(dataFingerprint ? { dataFingerprint } : {}),
    ...(carried.length ? { earlierDataFingerprints: carried } : {}),
  };
}

/**
 * How many earlier attempts' fingerprints a started record carries: a run resumed more often
 * than this without its write landing or being refused is bounded by the run-age limit long
 * before, and the record stays small.
 */
export const MAX_CARRIED_FINGERPRINTS = 16;

/** The last `pullSecretWriteStarted` record of `request`'s secret, if a write was started. */
function writeStartedOf(request: AccessRequest): WriteStartedRecord | undefined {
  if (request.plan.kind !== 'secret') return undefined;
  const id = pullSecretRecordId(request.plan);
  return (request.created ?? []).findLast((o) => o.kind === 'pullSecretWriteStarted' && o.id === id) as
    WriteStartedRecord | undefined;
}

/**
 * The service account whose `imagePullSecrets` entry an earlier started write of `request` was to
 * add (it did not name the secret when that write began), by its own records (G15); undefined
 * otherwise. A resumed run that finds the entry there counts it as acrbot's by this alone: the
 * entry in the cluster is a hint, the record is the proof.
 */
export function serviceAccountLinkedEarlier(request: AccessRequest): string | undefined {
  const linked = writeStartedOf(request)?.linksServiceAccount;
  return request.plan.kind === 'secret' && typeof linked === 'string' && linked === request.plan.serviceAccount
    ? linked
    : undefined;
}

/**
 * What the last started write of `request`'s secret replaced, by its own records; undefined when
 * none was started or it created the secret.
 */
export function replacedByStartedWrite(request: AccessRequest): CreatedObject['replaces'] {
  const replaces = writeStartedOf(request)?.replaces;
  return replaces && typeof replaces.requestId === 'string' && isRequestId(replaces.requestId)
    ? { requestId: replaces.requestId, serviceAccounts: (replaces.serviceAccounts ?? []).filter(isString) }
    : undefined;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/**
 * Why `replaced` (read from the store under the id a started write recorded) is not the request
 * whose secret `request` replaced, or undefined: it must be a pull secret for the same target.
 */
export function replacedRequestProblem(
  request: AccessRequest,
  replaced: AccessRequest | undefined,
): string | undefined {
  if (!replaced) return 'it is not in the store';
  if (replaced.id === request.id) return 'it is this request';
  if (replaced.plan.kind !== 'secret' || request.plan.kind !== 'secret') return 'it is not a pull secret';
  if (!sameSecretTarget(replaced.plan, request.plan)) return 'it is for another secret or registry';
  return undefined;
}

/**
 * Why `replaced` (read from the store under the id `request`'s approved plan replaces) must not be
 * replaced now that the secret is gone from the cluster (deleted outside acrbot: GitOps, a
 * person), or undefined. Its credential still pulls, and acrbot's records alone say it is
 * `replaced`'s (G15): the run retires it as it would with the secret there, and deletes nothing in
 * the cluster for it (there is nothing). It must be the request the plan names, for the same
 * target, still holding its access (`succeeded`, no revoke under way: that revoke deletes the
 * credential itself), with the secret write recorded by uid (the plan refuses older writers).
 */
export function deletedSecretReplacementProblem(
  request: AccessRequest,
  replaced: AccessRequest | undefined,
): string | undefined {
  const planned = request.plan.kind === 'secret' ? request.plan.replaces : undefined;
  if (!planned) return 'the approved plan replaces no secret';
  if (request.extendsRequestId) return 'an extension replaces its own access';
  const problem = replacedRequestProblem(request, replaced);
  if (problem) return problem;
  if (replaced!.id !== planned.requestId) return `the approved plan replaces the secret of ${planned.requestId}`;
  if (replaced!.state !== 'succeeded' || replaced!.access?.revokingSince) return 'it no longer holds its access';
  if (writtenSecretUid(replaced!) === undefined) return 'it wrote its secret before acrbot recorded secret uids';
  return undefined;
}

/** The replaced credential still to delete for `request` (`outcome.retirement`), if any. */
export function pendingRetirementOf(request: AccessRequest): Outcome['retirement'] {
  const retirement = request.outcome?.retirement;
  return retirement && typeof retirement.requestId === 'string' && isRequestId(retirement.requestId)
    ? { requestId: retirement.requestId }
    : undefined;
}

/**
 * The outcome's sentence about the credential a rotation replaced and could not delete at once:
 * true when the card is read later too (the outcome message cannot be changed once sent).
 */
export function retirementPendingSentence(replacedRequestId: string): string {
  return `The credential of ${replacedRequestId}, which it replaced, could not be deleted at once; acrbot deletes it in the background and the audit log records when.`;
}

/**
 * The sentence a succeeded rotation's `summary` carries when it deleted the credential it
 * replaced (secret-runner.ts). Read back only for outcomes stored before `retired` was recorded
 * ({@link retiredCredentialOf}).
 */
export const REPLACED_CREDENTIAL_DELETED = 'The credential it replaced was deleted.';

/**
 * What `request`'s succeeded rotation did with the credential of `replacedId` (the request its
 * write recorded replacing), by its outcome's `retired`; for outcomes stored before that field,
 * by the summary's {@link REPLACED_CREDENTIAL_DELETED} (`deleted`) or a pending `retirement`
 * (`pending`), else undefined (not known).
 */
export function retiredCredentialOf(
  request: AccessRequest,
  replacedId: string,
): NonNullable<Outcome['retired']>['credential'] | undefined {
  const retired = request.outcome?.retired;
  if (
    retired &&
    retired.requestId === replacedId &&
    ['deleted', 'pending', 'none', 'left'].includes(retired.credential)
  )
    return retired.credential;
  if (retired) return undefined;
  if (pendingRetirementOf(request)?.requestId === replacedId) return 'pending';
  return request.outcome?.summary.includes(REPLACED_CREDENTIAL_DELETED) ? 'deleted' : undefined;
}

/**
 * What a failed secret run's error says of a credential it could not delete (secret-runner.ts):
 * each promises a later try, which a refused clean-up never makes (credential-cleanup.ts takes
 * them out again). One place for the words, so the two cannot drift apart.
 */
export const CLEANUP_PROMISES = {
  applicationUnseen: 'acrbot deletes the application once Graph shows it (it looks again shortly).',
  unanswered:
    'Azure did not answer whether it created the credential; acrbot looks for it again shortly and deletes it if it exists.',
  recorded:
    'The credential acrbot had created could not be deleted yet; it is recorded for clean-up and will be retried.',
  earlierUnanswered:
    'An earlier attempt of this request may have created a credential; acrbot looks for it again shortly and deletes it if it exists.',
  earlierRecorded:
    'The credential an earlier attempt of this request had created could not be deleted yet; it is recorded for clean-up and will be retried.',
} as const;

/**
 * `summary` once the clean-up job deleted the credential of `replacedRequestId`: its
 * {@link retirementPendingSentence} (or the one outcomes stored before it said, "could not be
 * deleted yet; acrbot tries again shortly") says it was deleted.
 */
export function summaryAfterRetirement(summary: string, replacedRequestId: string): string {
  const done = `The credential of ${replacedRequestId}, which it replaced, was deleted on a later try.`;
  return summary
    .replace(retirementPendingSentence(replacedRequestId), done)
    .replace(
      `The credential of ${replacedRequestId}, which it replaced, could not be deleted yet; acrbot tries again shortly.`,
      done,
    );
}

/** A short description of who seems to have written a secret, from its metadata. */
function whoseSecret(existing: ExistingSecret): string {
  const parts: string[] = [];
  if (existing.writers.length) parts.push(`last written by ${existing.writers.join(', ')}`);
  if (existing.createdAt) parts.push(`created ${formatUtc(existing.createdAt)}`);
  const managed = existing.managedBy ? `labelled managed-by=${existing.managedBy}` : undefined;
  if (managed) parts.push(managed);
  return parts.length
    ? `It seems to be someone else's secret (${parts.join(', ')}).`
    : "It seems to be someone else's secret.";
}

/** How a pull secret is named in a request's `created` records: `cluster-id|namespace|name`. */
export function pullSecretRecordId(plan: SecretPlan): string {
  return `${plan.cluster.id}|${plan.namespace}|${plan.secretName}`;
}

/** One line for the plan card: what the new secret replaces. */
export function replacesLine(previous: AccessRequest): string {
  const plan = previous.plan as SecretPlan;
  return `Replaces secret \`${plan.namespace}/${plan.secretName}\` from request ${previous.id} (by ${previous.requester.name}, created ${previous.createdAt.slice(0, 10)}, expires ${plan.expiresAt.slice(0, 10)})`;
}

const ACRBOT_NAME = /^acrbot-r-[a-z0-9]{8}$/;

function recorded(created: CreatedObject[], kind: CreatedObject['kind'], match: (o: CreatedObject) => boolean) {
  return created.some((o) => o.kind === kind && match(o));
}

/**
 * Why a credential reference must not be acted on for `request`, or undefined when it is one of
 * acrbot's own: the right shape, under the request's registry, and recorded in the request's
 * `created` list (or, for tokens of requests made before those records existed, named after the
 * request itself).
 */
export function credentialRefProblem(ref: CredentialRef, request: AccessRequest): string | undefined {
  const plan = request.plan;
  if (plan.kind !== 'secret') return 'the request is not a pull secret';
  const created = request.created ?? [];
  const registry = plan.registry;
  if (ref.kind === 'token') {
    if (
      ref.subscriptionId?.toLowerCase() !== registry.subscriptionId.toLowerCase() ||
      ref.resourceGroup?.toLowerCase() !== registry.resourceGroup.toLowerCase() ||
      ref.registry?.toLowerCase() !== registry.name.toLowerCase()
    )
      return 'the token is not in the registry of the request';
    const ours = (kind: 'acrToken' | 'scopeMap', name: string) =>
      ACRBOT_NAME.test(name) &&
      (recorded(created, kind, (o) => o.name === name) ||
        (kind === 'acrToken' && created.length === 0 && legacyTokenOf(request) === name));
    if (!ours('acrToken', ref.tokenName)) return 'the token is not recorded as created by this request';
    if (ref.scopeMapName !== undefined && !ours('scopeMap', ref.scopeMapName))
      return 'the scope map is not recorded as created by this request';
    return undefined;
  }
  if (ref.kind === 'sp') {
    // An application known only by the uniqueName acrbot chose and recorded before creating it
    // (its id was never recorded): it is found, and deleted, by that name alone.
    if (ref.applicationId === '' && typeof ref.uniqueName === 'string' && !ref.roleAssignment)
      return recorded(created, 'application', (o) => o.name === ref.uniqueName)
        ? undefined
        : 'the application name is not recorded as created by this request';
    if (!isGuid(ref.applicationId ?? '')) return 'the application id is not an object id';
    if (!recorded(created, 'application', (o) => o.id.toLowerCase() === ref.applicationId.toLowerCase()))
      return 'the application is not recorded as created by this request';
    // Its role assignment is deleted by this id when Graph no longer shows the service principal.
    if (
      ref.servicePrincipalId !== undefined &&
      !recorded(
        created,
        'servicePrincipal',
        (o) => isGuid(o.id) && o.id.toLowerCase() === ref.servicePrincipalId!.toLowerCase(),
      )
    )
      return 'the service principal is not recorded as created by this request';
    if (ref.roleAssignment) {
      const ra = ref.roleAssignment;
      if (!isGuid(ra.name) || !sameResourceId(ra.scope, registry.id))
        return 'the role assignment is not on the registry of the request';
      if (ra.subscriptionId?.toLowerCase() !== registry.subscriptionId.toLowerCase())
        return 'the role assignment is not in the subscription of the request';
      const id = `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${ra.name}`;
      if (!recorded(created, 'roleAssignment', (o) => sameResourceId(o.id, id)))
        return 'the role assignment is not recorded as created by this request';
    }
    return undefined;
  }
  return 'unknown credential kind';
}

/**
 * The token of a request stored before `created` records existed: its name alone proves nothing
 * (anyone can create `acrbot-<id>`, G15), so it counts only when the request's stored outcome
 * names that token among what the run created.
 */
function legacyTokenOf(request: AccessRequest): string | undefined {
  const name = tokenNameFor(request.id);
  const suffix = `/tokens/${name}`.toLowerCase();
  return request.outcome?.createdIds?.some((id) => id.toLowerCase().endsWith(suffix)) ? name : undefined;
}

/** The credential a succeeded secret request made, rebuilt from its store records only. */
export function credentialOf(request: AccessRequest): CredentialRef | undefined {
  const plan = request.plan;
  if (plan.kind !== 'secret') return undefined;
  const created = request.created ?? [];
  const registry = plan.registry;
  if (plan.credentialKind === 'token') {
    const token = created.find((o) => o.kind === 'acrToken');
    const tokenName = token?.name ?? (created.length === 0 ? legacyTokenOf(request) : undefined);
    if (!tokenName) return undefined;
    const scopeMap = created.find((o) => o.kind === 'scopeMap');
    return {
      kind: 'token',
      subscriptionId: registry.subscriptionId,
      resourceGroup: registry.resourceGroup,
      registry: registry.name,
      tokenName,
      ...(scopeMap?.name ? { scopeMapName: scopeMap.name } : {}),
    };
  }
  const app = created.find((o) => o.kind === 'application' && o.id);
  if (!app) return undefined;
  const assignment = created.find((o) => o.kind === 'roleAssignment');
  const sp = created.find((o) => o.kind === 'servicePrincipal');
  return {
    kind: 'sp',
    applicationId: app.id,
    appId: sp?.name ?? '',
    // The principal acrbot made its role assignment for, from its own record: its assignment is
    // found by it after the application is deleted outside acrbot (credential-deletion.ts).
    // Requests stored without its id go by Graph's service principal of `appId`, as before.
    ...(sp?.id ? { servicePrincipalId: sp.id } : {}),
    ...(assignment
      ? {
          roleAssignment: {
            scope: registry.id,
            name: assignment.id.split('/').pop()!,
            subscriptionId: registry.subscriptionId,
          },
        }
      : {}),
  };
}

/**
 * When Azure made the token `ref` names, as the request's outcome recorded it (`credentialRef`:
 * ARM's answer to the run's create, written with the run's end). Undefined when the outcome
 * names no such token on the same registry, or carries no date: written by a release before the
 * date was kept, or Azure gave none. Then the token is told by its name alone, as before (G15).
 */
export function recordedTokenCreation(request: AccessRequest, ref: CredentialRef): string | undefined {
  if (ref.kind !== 'token') return undefined;
  const recorded = decodeCredentialRef(request.outcome?.credentialRef);
  if (recorded?.kind !== 'token' || typeof recorded.creationDate !== 'string') return undefined;
  const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
  return same(recorded.subscriptionId, ref.subscriptionId) &&
    same(recorded.resourceGroup, ref.resourceGroup) &&
    same(recorded.registry, ref.registry) &&
    same(recorded.tokenName, ref.tokenName)
    ? recorded.creationDate
    : undefined;
}

/**
 * The credential `request`'s records say acrbot created (or was about to create) for it, to
 * delete when its run fails before using it (G14, G15): {@link credentialOf}, or an application
 * recorded by the uniqueName chosen before its creation only (the answer was lost), found again by
 * that name. Empty when nothing was recorded.
 */
export function recordedCredentials(request: AccessRequest): CredentialRef[] {
  const ref = credentialOf(request);
  if (ref) return [ref];
  if (request.plan.kind !== 'secret' || request.plan.credentialKind !== 'sp') return [];
  const app = (request.created ?? []).find((o) => o.kind === 'application' && o.name);
  return app?.name ? [{ kind: 'sp', applicationId: '', appId: '', uniqueName: app.name }] : [];
}

/** Who holds an application (from Graph), as {@link applicationProblem} needs it. */
export type ApplicationHolders = ApplicationHoldings;

/**
 * Why acrbot must not use an application, or undefined: acrbot's own service principal (by
 * object id) must be its only owner and the only owner of its service principal, and nothing
 * may authenticate as it but the passwords acrbot recorded (by key id, or by the random marker
 * acrbot recorded as the display name before adding it: a run killed while `addPassword` was in
 * flight never learnt the key id of the password Graph added). A federated identity credential,
 * a certificate, or a credential on the service principal itself is someone else's
 * (application-holders.ts).
 */
export function applicationProblem(holders: ApplicationHolders, own: OwnHoldings): string | undefined {
  return foreignHoldersSentence(foreignHolders(holders, own));
}

/**
 * Error code of a secret write that Kubernetes neither confirmed nor refused (a timeout, a 5xx, a
 * dropped connection) and whose read-back could not settle it: the secret may hold the new
 * credential, so the run neither fails nor deletes it; it is resumed and looks again (G13, G14).
 */
export const SECRET_WRITE_UNCONFIRMED = 'kubernetes.writeUnconfirmed';
