/**
 * Finishes credential clean-ups that failed earlier (G14): a failed secret request whose
 * credential could not be deleted keeps the reference in its outcome, and a `cleanup.credential`
 * job for it tries again (scheduled when the run failed; retried with backoff and reported while
 * the deletion still fails). Each start gives pending clean-ups that have no job one (records
 * older than the job). Only references the request's own `created` records vouch for are
 * deleted (G15). The same job deletes the credential a succeeded rotation replaced and could not
 * delete (`outcome.retirement`): rebuilt from the replaced request's records. A `--kind sp`
 * rotation never deletes it at once: it is left to this job, which deletes it only once the new
 * service principal's role has had time to apply ({@link SP_RETIREMENT_DELAY_MS}). A token or scope
 * map still being written in Azure (a create acrbot stopped waiting for) is not deleted yet: the
 * job throws and runs again with backoff, and only marks the clean-up done once its DELETE ran
 * after the write ended, or the objects stayed absent past {@link ABSENT_AFTER_MS}. A refused
 * clean-up (a reference the records do not vouch for) is audited once per reason, and the stored
 * outcome records it (`cleanup: 'refused'`) and stops promising a retry: an operator must delete
 * what it names, and nothing schedules it again. A role assignment found under the recorded name
 * that is not the one acrbot made (`notOurs`, credential-deletion.ts) is left in place and
 * recorded the same way: audited once, a sentence in the outcome naming it for an operator, never
 * retried (the clean-up of acrbot's own credential goes on and ends). Just before it sends the
 * DELETE of the credential itself (the application, the token), the clean-up appends a keyed
 * `credential.cleanup.started` entry ({@link markingDeletion}): a run cut short between that
 * DELETE and the entry saying what it found leaves the mark, and the retry, which then finds
 * nothing, audits `deleted` (by that earlier attempt), not `absent`. A token under its recorded
 * name that Azure dates otherwise than acrbot recorded (deleted and made again by a person) is not
 * acrbot's: it and the scope map it may use are left, audited `notOurs` once, and the stored
 * outcome names it for an operator (foreign-token.ts), as the revocation leaves it.
 */
import { createHash } from 'node:crypto';
import { formatUtc } from '../domain/access-term';
import type { AuditEvent } from '../domain/audit-chain';
import type { AuditLog, Clock, ListOrder, RequestStore } from '../domain/ports';
import { transition, type AccessRequest, type Outcome, type RequestState } from '../domain/request';
import { type CredentialRef, decodeCredentialRef } from '../domain/secret-credential';
import {
  CLEANUP_PROMISES,
  credentialOf,
  credentialRefProblem,
  pendingRetirementOf,
  pullSecretRecordId,
  replacedRequestProblem,
  retirementPendingSentence,
  summaryAfterRetirement,
} from '../domain/secret-ownership';
import { encodeCredentialRef } from '../domain/secret-credential';
import type { Logger } from '../observability/logger';
import type { JobScheduling } from './request-jobs';
import type { JobSpec } from './scheduler';
import { type CredentialDeletion, deleteCredential } from './credential-deletion';
import { credentialMarkNames, deletionMarkKey, markedBefore } from './deletion-mark';
import {
  checkOwnToken,
  leftTokenKey,
  leftReplacedTokenSentence,
  leftTokenSentence,
  recordedCreationOf,
} from './foreign-token';
import type { SecretRunnerPorts } from './secret-runner';

/**
 * The stored list of pending references, or why it cannot be acted on. The secret runner writes
 * a non-empty JSON array of references it encoded; anything else (unreadable, empty, an entry
 * that is not a reference) is refused whole rather than read as "nothing left to delete", which
 * would mark the clean-up done while a credential still exists.
 */
function pendingRefs(text: string | undefined): { refs: CredentialRef[] } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    return { problem: 'the stored credential reference is not JSON' };
  }
  const entries = Array.isArray(parsed) ? parsed : parsed === undefined ? [] : [parsed];
  if (!entries.length) return { problem: 'no credential reference is stored for the pending clean-up' };
  const refs = entries.map((r) => decodeCredentialRef(JSON.stringify(r)));
  if (refs.some((r) => r === undefined)) return { problem: 'a stored credential reference is not one acrbot writes' };
  return { refs: refs as CredentialRef[] };
}

/** The `credential.cleanup` audit entry of a retried clean-up. */
function cleanupEntry(
  request: AccessRequest,
  outcome: 'refused' | 'deleted' | 'absent' | 'pending' | 'notOurs',
  detail: string,
  correlationIds?: readonly string[],
): AuditEvent {
  return {
    actor: { objectId: 'acrbot', name: 'acrbot' },
    tenantId: request.tenantId,
    action: 'credential.cleanup',
    requestId: request.id,
    targetIds: [request.plan.registry.id],
    outcome,
    detail,
    // The request ids of the DELETEs it records, for Azure's Activity Log and Entra's audit log.
    ...(correlationIds && { correlationIds: [...correlationIds] }),
  };
}

/**
 * The `credential.cleanup` entry of a token left in place as not acrbot's, keyed as a failed
 * run's clean-up keys it (secret-run-cleanup.ts): whoever finds the token first records it once.
 */
function leftTokenEntry(request: AccessRequest, detail: string): AuditEvent {
  return { ...cleanupEntry(request, 'notOurs', detail), idempotencyKey: leftTokenKey(request.id, detail) };
}

/**
 * The `credential.cleanup` entry of a refused clean-up, keyed by the request and the reason: a
 * refusal comes from stored records alone, so a later run (the job again after the refusal's
 * write lost a race, or a request refused before the refusal was recorded) refuses it for the
 * same reason, which is in the audit log once. The reason is hashed: it is free text, and keys
 * have a length limit.
 */
function refusedEntry(request: AccessRequest, detail: string): AuditEvent {
  return { ...cleanupEntry(request, 'refused', detail), idempotencyKey: refusalKey(request.id, detail) };
}

/**
 * The idempotency key of request `requestId`'s `credential.cleanup` refusal saying `detail`: the
 * same for the clean-up job and the run that met the same refusal first (the secret runner's left
 * role assignment), so the fact is in the audit log once whoever records it.
 */
export function refusalKey(requestId: string, detail: string): string {
  const reason = createHash('sha256').update(detail).digest('hex').slice(0, 32);
  return `credential.cleanup.refused:${requestId}:${reason}`;
}

/**
 * What a failed request's outcome says of its credential once its clean-up was refused. The
 * runner's text said it would be retried (or looked for again shortly); a refused one never is
 * acted on, so the sentence is replaced: an operator must find and delete it.
 */
export const CLEANUP_REFUSED_SENTENCE =
  "acrbot refused to delete the credential it had created: the stored reference is not one this request's records vouch for (audit log: credential.cleanup, refused). An operator must find and delete it.";

/** `text` (an outcome's error) with its promises of a retry replaced by {@link CLEANUP_REFUSED_SENTENCE}. */
function errorAfterRefusal(text: string | undefined): string {
  return errorInsteadOfPromises(text, CLEANUP_REFUSED_SENTENCE);
}

/** `text` (an outcome's error) with its promises of a retry replaced by `sentence`. */
function errorInsteadOfPromises(text: string | undefined, sentence: string): string {
  if (text?.includes(sentence)) return text;
  const rest = Object.values(CLEANUP_PROMISES)
    .reduce((t, promise) => t.replace(promise, ''), text ?? '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return rest ? `${rest} ${sentence}` : sentence;
}

/**
 * What a succeeded rotation's outcome says once the retirement of the credential it replaced was
 * refused: {@link retirementPendingSentence} (or the earlier "tries again shortly") promised it.
 */
function summaryAfterRefusedRetirement(summary: string, replacedRequestId: string, dueAt?: Date): string {
  const refused = `acrbot refused to delete the credential of ${replacedRequestId}, which it replaced: that request's records do not vouch for it (audit log: credential.cleanup, refused). An operator must find and delete it.`;
  return summaryInsteadOfPromise(summary, replacedRequestId, refused, dueAt);
}

/**
 * `summary` with the sentence that promised the deletion of the credential of `replacedRequestId`
 * ({@link retirementPendingSentence}, the earlier "tries again shortly", or a kept `--kind sp`
 * credential's) replaced by `sentence`, or `sentence` added when it promised none.
 */
function summaryInsteadOfPromise(summary: string, replacedRequestId: string, sentence: string, dueAt?: Date): string {
  if (summary.includes(sentence)) return summary;
  const promises = [
    retirementPendingSentence(replacedRequestId),
    `The credential of ${replacedRequestId}, which it replaced, could not be deleted yet; acrbot tries again shortly.`,
    ...(dueAt ? deferredRetirementSentences(replacedRequestId, dueAt) : []),
  ];
  const found = promises.find((p) => summary.includes(p));
  return found ? summary.replace(found, sentence) : `${summary} ${sentence}`;
}

/** A role assignment found under a recorded name that is not the one acrbot made: left in place. */
interface LeftAssignment {
  name: string;
  scope: string;
}

/**
 * What the audit entry of a {@link LeftAssignment} says after `role assignment <name> on <scope>: `
 * (read back by {@link leftInAudit}); the secret runner's entry for one it left says the same.
 */
export const NOT_OURS_DETAIL =
  'under the name acrbot recorded, but not the assignment acrbot made (another role or scope); left in place for an operator';

/** The detail of the refusal entry of a {@link LeftAssignment} (read back by {@link leftInAudit}). */
export function leftAssignmentDetail(a: LeftAssignment): string {
  return `role assignment ${a.name} on ${a.scope}: ${NOT_OURS_DETAIL}`;
}

/** The `notOurs` names of one deletion of `ref`, with the scope `ref` recorded for them. */
function leftInPlace(ref: CredentialRef, found: CredentialDeletion): LeftAssignment[] {
  const scope = ref.kind === 'sp' ? ref.roleAssignment?.scope : undefined;
  return scope ? found.notOurs.map((name) => ({ name, scope })) : [];
}

/**
 * Audits each left assignment as a refusal (G15): keyed by the request and the assignment, so
 * a later run that finds it again (the job after a lost final write, a name not found yet) adds
 * no second entry. Audited before the deletion's own entry, which a later run reads as "done".
 */
async function auditLeft(
  request: AccessRequest,
  left: LeftAssignment[],
  { audit, log }: Pick<CleanupDeps, 'audit' | 'log'>,
): Promise<void> {
  for (const a of left) {
    log.warn(
      { requestId: request.id, roleAssignment: a.name, scope: a.scope },
      'role assignment under the recorded name is not the one acrbot made; left in place for an operator',
    );
    await audit.append(refusedEntry(request, leftAssignmentDetail(a)));
  }
}

/**
 * The left assignments a run before this one audited (it deleted the credential and lost its
 * final write): the final write still names them. Read from the entries {@link auditLeft} writes.
 */
function leftInAudit(entries: readonly AuditEvent[]): LeftAssignment[] {
  const left: LeftAssignment[] = [];
  for (const e of entries) {
    if (e.action !== 'credential.cleanup' || e.outcome !== 'refused' || !e.detail?.endsWith(`: ${NOT_OURS_DETAIL}`))
      continue;
    const match = /^role assignment (\S+) on (\S+): /.exec(e.detail);
    if (match) left.push({ name: match[1]!, scope: match[2]! });
  }
  return left;
}

/** The operator-facing sentence of one left assignment, in the stored outcome (and so on the cards). */
export function leftAssignmentSentence(a: LeftAssignment): string {
  return `acrbot left the role assignment ${a.name} on ${a.scope} in place: it has the name acrbot recorded, but it is not the assignment acrbot made (another role or scope; audit log: credential.cleanup, refused). An operator must check it and delete it if nobody needs it.`;
}

/** `text` with the sentence of each left assignment it does not say yet. */
function withLeft(text: string | undefined, left: LeftAssignment[]): string | undefined {
  return left
    .map(leftAssignmentSentence)
    .reduce<string | undefined>((t, sentence) => (t?.includes(sentence) ? t : t ? `${t} ${sentence}` : sentence), text);
}

/** The action of the entry a clean-up appends just before it sends the DELETE of a credential. */
export const DELETION_STARTED = 'credential.cleanup.started';

/**
 * The idempotency key of request `requestId`'s {@link DELETION_STARTED} entry for `ref`: the same
 * at every run of its clean-up, so however many runs send the DELETE, the mark is in the audit log
 * once (deletion-mark.ts; the key's form is the one earlier releases wrote).
 */
function deletionStartedKey(requestId: string, ref: CredentialRef): string {
  return deletionMarkKey(DELETION_STARTED, requestId, credentialMarkNames(ref));
}

/** The {@link DELETION_STARTED} entry of `request`'s clean-up of `ref`. */
function deletionStartedEntry(request: AccessRequest, ref: CredentialRef): AuditEvent {
  const what =
    ref.kind === 'token'
      ? `token ${ref.tokenName} on ${ref.registry}`
      : `application ${ref.applicationId || ref.uniqueName || ref.appId}`;
  return {
    actor: { objectId: 'acrbot', name: 'acrbot' },
    tenantId: request.tenantId,
    action: DELETION_STARTED,
    requestId: request.id,
    targetIds: [request.plan.registry.id],
    outcome: 'started',
    detail: `deleting ${what}; a credential.cleanup entry says what the deletion found`,
    idempotencyKey: deletionStartedKey(request.id, ref),
  };
}

/** True when `entries` (read before this run deleted anything) hold the mark of `ref`'s deletion. */
function deletionStartedBefore(entries: readonly AuditEvent[], requestId: string, ref: CredentialRef): boolean {
  return markedBefore(entries, deletionStartedKey(requestId, ref));
}

/**
 * The `beforeDelete` of {@link deleteCredential} for `request`'s clean-up of `ref`: appends
 * {@link deletionStartedEntry}, so the DELETE goes ahead only once it is stored (an append that
 * fails throws, before anything is deleted). A run stopped after that DELETE (a crash, a kill, an
 * audit append that fails) leaves no entry saying what it found, and its retry finds nothing: the
 * mark tells that retry acrbot deleted it, where it would otherwise say Graph or Azure never
 * created it. deleteCredential calls it only for a credential that was created, so one never
 * created leaves none. An application DELETE Graph answers "not found" (not replicated yet, or
 * deleted by someone else) leaves one too: a later run that finds it deletes it all the same,
 * and one that never does takes it for deleted by that DELETE.
 */
function markingDeletion(
  request: AccessRequest,
  ref: CredentialRef,
  audit: AuditLog,
): { beforeDelete: () => Promise<void> } {
  return { beforeDelete: async () => void (await audit.append(deletionStartedEntry(request, ref))) };
}

/** The kind of a request's clean-up job. */
export const CREDENTIAL_CLEANUP_KIND = 'cleanup.credential' as const;

/** The id of a request's clean-up job (one per request: scheduling it again is idempotent). */
export const credentialCleanupJobId = (requestId: string): string => `${CREDENTIAL_CLEANUP_KIND}:${requestId}`;

/** How long after a run failed with its clean-up pending the job first tries again. */
export const FIRST_CLEANUP_RETRY_MS = 60_000;

/**
 * How long after the run failed "not found under its recorded name" is taken as "never created":
 * a lookup sooner is looked at again then. Graph's replication takes seconds, sometimes minutes;
 * an ACR token or scope map whose create ARM did not answer (acrbot's 3-minute deadline, a lost
 * answer) is shown `Creating` once ARM accepted it, so one still absent this long after was not.
 */
export const ABSENT_AFTER_MS = 10 * 60_000;

/**
 * How long after a `--kind sp` rotation wrote its new credential into the secret the credential
 * it replaced is kept. A new service principal and its AcrPull role assignment work only once
 * Entra and Azure have replicated them (usually minutes, at worst half an hour, as a grant's card
 * says); deleted at once, the old credential would leave whatever still pulls with it (a kubelet
 * that has not read the new secret yet, a copy of the secret elsewhere) with nothing that works.
 * A token rotation needs no wait: a new ACR token password works at once.
 */
export const SP_RETIREMENT_DELAY_MS = 30 * 60_000;

/**
 * When the clean-up job may delete the credential `request` (a `--kind sp` secret's extension)
 * replaced: {@link SP_RETIREMENT_DELAY_MS} after its last recorded write of the secret (the new
 * role assignment was made before it). Undefined for a token, which waits for nothing, and for a
 * request that records no write (then it replaced nothing). Undefined too for a new request that
 * replaced another's secret: that one ends at once (access-lifecycle.ts, endReplaced), and its
 * revocation deletes its credential, so the runner retires it at once and says so. Read from the
 * request's own records, so the runner's card and every later run of the job (after a restart, a
 * revocation) name the same time.
 */
export function retirementDueAt(request: AccessRequest): Date | undefined {
  const plan = request.plan;
  if (plan.kind !== 'secret' || plan.credentialKind !== 'sp' || !request.extendsRequestId) return undefined;
  const secretId = pullSecretRecordId(plan);
  const written = (request.created ?? [])
    .filter((o) => o.kind === 'pullSecret' && o.id === secretId)
    .map((o) => Date.parse(o.recordedAt))
    .filter(Number.isFinite);
  return written.length ? new Date(Math.max(...written) + SP_RETIREMENT_DELAY_MS) : undefined;
}

/**
 * The outcome's sentence about the credential of `replacedRequestId`, kept by a `--kind sp`
 * rotation until `dueAt` ({@link retirementDueAt}): when it goes, and that the new credential may
 * not pull until then (the secret holds it already). `checked`: the registry let the new
 * credential pull before the secret was written (pull-check.ts), so the old one is kept only for
 * what still pulls with it.
 */
export function deferredRetirementSentence(replacedRequestId: string, dueAt: Date, checked = false): string {
  const at = formatUtc(dueAt.toISOString());
  return checked
    ? `The credential of ${replacedRequestId}, which it replaced, is kept for whatever still pulls with it (a node that has not read the secret again yet); acrbot deletes it at ${at}.`
    : `The credential of ${replacedRequestId}, which it replaced, is kept until Azure has applied the new service principal's role (usually minutes, at worst half an hour); acrbot deletes it at ${at}. Until the role applies, pulls with the new credential may fail; Kubernetes retries them.`;
}

/** Both forms of {@link deferredRetirementSentence}: a stored summary holds one of them. */
function deferredRetirementSentences(replacedRequestId: string, dueAt: Date): string[] {
  return [false, true].map((checked) => deferredRetirementSentence(replacedRequestId, dueAt, checked));
}

/** The audit detail of the deletion of a credential a `--kind sp` rotation kept until its time. */
const RETIRED_AFTER_WAIT = 'the credential this request replaced, deleted once the new role had had time to apply';

/**
 * The same, when it was not found. All the job knows is that: the credential may never have been
 * created (an answer lost), or been deleted by someone else or by the revocation of the access
 * (which deletes every credential of it, this one included). "Deleted already" would claim more.
 */
const RETIRED_ABSENT =
  'the credential this request replaced, not found when its time came (never created, or deleted by someone else or by the end of the access); nothing deleted';

/** {@link RETIRED_ABSENT} as releases before this one wrote it: an entry of theirs still says the retirement is done. */
const RETIRED_ABSENT_BEFORE = 'the credential this request replaced, not found when its time came: deleted already';

/**
 * The same, not found by this run after an earlier one had begun deleting it
 * ({@link DELETION_STARTED}) and stopped before it recorded what it found: that run deleted it.
 */
const RETIRED_CUT_SHORT =
  'the credential this request replaced, deleted once the new role had had time to apply, by an earlier attempt whose record was cut short';

/** The detail of the audit entry of a retried clean-up that deleted the credential. */
const RETRIED_AND_DELETED = 'retried after an earlier failure';

/**
 * The same, when an earlier run had begun deleting it ({@link DELETION_STARTED}) and stopped
 * before it recorded what it found, and this run found nothing: that run deleted it.
 */
const RETRIED_CUT_SHORT =
  'retried after an earlier failure: deleted by an earlier attempt whose record was cut short (it had begun deleting it; not found since)';

/** The details of the entries that say a failed run's clean-up is done (a later run only records it). */
const CLEANUP_DONE: readonly string[] = [RETRIED_AND_DELETED, RETRIED_CUT_SHORT];

/** What a clean-up reads and writes. */
export interface CleanupDeps {
  store: RequestStore;
  audit: AuditLog;
  ports: SecretRunnerPorts;
  clock: Clock;
  log: Logger;
  /** Puts the request's clean-up job at a later time (a name not found too soon to decide). */
  reschedule(job: JobSpec): Promise<void>;
  /**
   * Redraws the request's cards after its stored outcome changed within its state (a replaced
   * credential deleted at last, a clean-up refused); never throws.
   */
  outcomeChanged?(request: AccessRequest): Promise<void>;
  /**
   * The job's lease (`JobRun.check`, scheduler.ts): throws once another instance may have taken the job
   * over. Checked before each deletion and before what they found is audited, so a run
   * that lost its lease stops before its next side effect: the holder now does the same work,
   * and a stale run would audit "absent" after the holder audited "deleted".
   */
  checkLease?(): Promise<void>;
}

/**
 * True when `request` failed with a credential clean-up still to do, or succeeded (and may have
 * ended since) with the credential it replaced still to delete. A refused clean-up is not: its
 * refusal comes from stored records alone, so another run would only refuse it again.
 */
export function cleanupPending(request: AccessRequest): boolean {
  // A rotation keeps its `retirement` mark once refused (the outcome says what to delete).
  if (request.outcome?.cleanup === 'refused') return false;
  if (request.state === 'failed') return request.outcome?.cleanup === 'pending';
  return (request.state === 'succeeded' || request.state === 'revoked') && !!pendingRetirementOf(request);
}

/**
 * The `cleanup.credential` job of one request: deletes what its pending references name and
 * marks it cleaned up. Throws while a deletion still fails, or when the request changed under
 * the final write, so the scheduler runs it again (with backoff, reported): the next run reads
 * the request afresh, and one cleaned up meanwhile (or refused, audited) ends the job.
 */
export async function retryCleanupOf(requestId: string, deps: CleanupDeps): Promise<void> {
  const request = await deps.store.get(requestId);
  if (!request || !cleanupPending(request)) return;
  if (request.state === 'failed') await retryCleanup(request, deps);
  else await retryRetirement(request, deps);
}

/** The detail of the audit entry of a retried retirement that deleted the replaced credential. */
const RETIRED_AFTER_RETRY = 'the credential this request replaced, deleted after an earlier failure';

/**
 * The retried retirement of the credential `request` (a succeeded rotation) replaced: rebuilt
 * from the replaced request's own records and checked against them (G15), never the credential
 * `request` itself uses. Deleted, audited, then the pending mark comes off the outcome, whose
 * summary says it was deleted, and the cards are redrawn (a lost race with another write throws,
 * and the retry, seeing the audit entry, only takes it off). A reference acrbot's records do not
 * vouch for is refused, audited once, and recorded refused (the mark kept, naming what to
 * delete); the summary says so.
 */
async function retryRetirement(request: AccessRequest, deps: CleanupDeps): Promise<void> {
  const { store, audit, ports, log, clock, reschedule, checkLease } = deps;
  const pending = pendingRetirementOf(request)!;
  // A `--kind sp` rotation's new role may not apply yet: the old credential stays until its time
  // (a job scheduled sooner, by a change of the request or the start's sweep, moves itself there).
  const dueAt = retirementDueAt(request);
  if (dueAt && clock.now() < dueAt) {
    await reschedule(cleanupJob(request.id, clock, dueAt));
    return;
  }
  const entries = await audit.forRequest(request.id);
  let left = leftInAudit(entries);
  let done: Pick<AuditEvent, 'outcome'> | undefined = entries.find(
    (e) =>
      e.action === 'credential.cleanup' &&
      // A `notOurs` entry on a rotation's request is its retirement's (written by its run, which
      // did not fail, or by this job): the token under the replaced one's name is not acrbot's.
      (RETIREMENT_DONE.includes(e.detail ?? '') || e.outcome === 'notOurs'),
  );
  if (!done) {
    const replaced = await store.get(pending.requestId);
    const ref = replaced && credentialOf(replaced);
    const own = credentialOf(request);
    // The mark names the request whose secret this one replaced: the same secret, same registry.
    const notReplaced = replacedRequestProblem(request, replaced);
    const problem = notReplaced
      ? `the replaced request: ${notReplaced}`
      : !ref
        ? 'the replaced request records no credential'
        : own && encodeCredentialRef(own) === encodeCredentialRef(ref)
          ? 'it is the credential this request uses'
          : credentialRefProblem(ref, replaced!);
    if (problem || !ref) {
      // Audited before it is recorded refused, after which nothing runs for it: an append that
      // fails throws, and the job's next run appends it (once: the entry is keyed). Logged once
      // it is recorded, so a run that failed before (the append, a lost race on the write) and
      // its retry make one line, not one per attempt.
      await audit.append(refusedEntry(request, `credential of ${pending.requestId}: ${problem}`));
      const summary = summaryAfterRefusedRetirement(request.outcome!.summary, pending.requestId, dueAt);
      await saveRefusal(request, { ...request.outcome!, summary }, deps);
      log.error({ requestId: request.id, replacedRequestId: pending.requestId, problem }, 'retirement refused');
      return;
    }
    await checkLease?.();
    // A token under the name that Azure dates otherwise than the replaced request's outcome
    // recorded is not the one acrbot made (G15): neither it nor the scope map it may use is
    // deleted, as the revocation leaves it. The read is the deletion's: ARM is asked once.
    const created = recordedCreationOf(ref, replaced!);
    const { tokenRead, left: foreign } = await checkOwnToken({ tokens: ports.tokens, log }, request.id, ref, created);
    if (foreign) {
      // The detail and key the rotation's run writes (secret-run-cleanup.ts): written once,
      // whichever writes it; a run of this job that lost its final write finds the entry.
      await audit.append(leftTokenEntry(request, foreign.detail));
      done = { outcome: 'notOurs' };
    } else {
      const deletion = await deleteCredential(ports, ref, {
        ...markingDeletion(request, ref, audit),
        ...(tokenRead && { tokenRead }),
      });
      left = leftInPlace(ref, deletion);
      await auditLeft(request, left, deps);
      // A kept `--kind sp` credential may be gone by its time: the revocation of the access deletes
      // every credential of it, this one included; or an earlier run of this job deleted it and
      // stopped before its entry (its mark says so).
      const sent = deletion.requestIds;
      const entry = !dueAt
        ? cleanupEntry(request, 'deleted', RETIRED_AFTER_RETRY, sent)
        : deletion.found || deletion.deleted.length
          ? cleanupEntry(request, 'deleted', RETIRED_AFTER_WAIT, sent)
          : deletionStartedBefore(entries, request.id, ref)
            ? cleanupEntry(request, 'deleted', RETIRED_CUT_SHORT, sent)
            : cleanupEntry(request, 'absent', RETIRED_ABSENT, sent);
      await audit.append(entry);
      done = entry;
    }
  }
  const { retirement: _done, ...outcome } = request.outcome!;
  // The outcome said the deletion was still to come; the cards show the stored outcome, which
  // also names any assignment left in place for an operator, or the token left as not acrbot's.
  if (done?.outcome === 'notOurs') {
    outcome.summary = summaryInsteadOfPromise(
      outcome.summary,
      pending.requestId,
      leftReplacedTokenSentence(pending.requestId),
      dueAt,
    );
    outcome.retired = { requestId: pending.requestId, credential: 'left' };
    await saveOutcome(request, outcome, deps, 'cards not redrawn after the retirement');
    return;
  }
  let summary = summaryAfterRetirement(outcome.summary, pending.requestId);
  if (dueAt)
    for (const kept of deferredRetirementSentences(pending.requestId, dueAt))
      summary = summary.replace(
        kept,
        done?.outcome === 'absent'
          ? `The credential of ${pending.requestId}, which it replaced, was not found when its time came (never created, or deleted by someone else or by the end of that access); nothing was deleted.`
          : `The credential of ${pending.requestId}, which it replaced, was deleted once the new role had had time to apply.`,
      );
  outcome.summary = withLeft(summary, left)!;
  await saveOutcome(request, outcome, deps, 'cards not redrawn after the retirement');
}

/** The details of the audit entries that say a retirement is done (a later run only saves the outcome). */
const RETIREMENT_DONE: readonly string[] = [
  RETIRED_AFTER_RETRY,
  RETIRED_AFTER_WAIT,
  RETIRED_ABSENT,
  RETIRED_ABSENT_BEFORE,
  RETIRED_CUT_SHORT,
];

/**
 * Stores `outcome`, whose text says a clean-up was refused, as `cleanup: 'refused'`, which no
 * sweep or job acts on again ({@link cleanupPending}), and redraws the cards (once: nothing runs
 * for the request after). Conditional on the request's version like every write of an outcome: a
 * lost race throws, and the job runs again, reads the request afresh and ends if it is refused
 * already; otherwise it refuses again under the same audit key, so the entry is written once.
 *
 * Requests refused before this state existed were stored `pending`, their text already saying
 * so: the next start's sweep gives them a job, which refuses them again (no new audit entry) and
 * records `refused` here. That run is their migration.
 */
async function saveRefusal(request: AccessRequest, outcome: Outcome, deps: CleanupDeps): Promise<void> {
  await saveOutcome(request, { ...outcome, cleanup: 'refused' }, deps, 'cards not redrawn after a refused clean-up');
}

/**
 * Stores `request` with `outcome` (a change within its state: conditional on its version) and
 * redraws its cards; a redraw that fails is logged as `unredrawn`. A lost race with another
 * write throws: the job runs again and reads the request afresh.
 */
async function saveOutcome(
  request: AccessRequest,
  outcome: Outcome,
  { store, log, outcomeChanged }: CleanupDeps,
  unredrawn: string,
): Promise<void> {
  const next = { ...request, version: request.version + 1, outcome };
  await store.update(next);
  if (outcomeChanged)
    await outcomeChanged(next).catch((err: unknown) => log.warn({ err, requestId: request.id }, unredrawn));
}

/**
 * Most requests the start's sweep reads per state: it runs in the background, and the drift check
 * reads as many live requests at every run (INVENTORY_REQUEST_LIMIT). Read one state at a time, so
 * ended requests (failed, revoked), which only accumulate, never crowd out live ones; those are
 * read newest first, so past this many a new one (whose job was lost) is still seen.
 */
export const PENDING_SWEEP_LIMIT = 10_000;

/** How the start's sweep reads each state: the ended ones newest first (see {@link PENDING_SWEEP_LIMIT}). */
const SWEPT_STATES: readonly (readonly [RequestState, ListOrder])[] = [
  ['failed', 'newestFirst'],
  ['succeeded', 'oldestFirst'],
  ['revoked', 'newestFirst'],
];

/**
 * The start's sweep: a pending clean-up without a job of its own (recorded before the job
 * existed, or its scheduling failed) gets one, due after {@link FIRST_CLEANUP_RETRY_MS} like a
 * fresh failure's (an application whose creation answer was lost may not be visible in Graph
 * yet right after a restart). Returns how many were scheduled. The states are those
 * {@link cleanupPending} knows: a failed run's credential, and the replaced credential of a
 * rotation that succeeded (and may have ended since). A refused clean-up (`cleanup: 'refused'`)
 * gets none: it would only be refused again.
 */
export async function scheduleCleanupsForPending(
  store: RequestStore,
  jobs: Pick<JobScheduling, 'get' | 'schedule'>,
  clock: Clock,
  options: SweepOptions = {},
): Promise<number> {
  const { limit = PENDING_SWEEP_LIMIT, log } = options;
  let scheduled = 0;
  for (const [state, order] of SWEPT_STATES) {
    const listed = await store.listByState([state], limit, order);
    // Not silent: what lies past the bound is not looked at this start.
    if (listed.length >= limit) {
      const cut = { state, read: listed.length };
      const message = `the start's clean-up sweep read only the ${order === 'newestFirst' ? 'newest' : 'oldest'} ${limit} ${state} requests: a pending clean-up among the others without a job is not scheduled by this start`;
      if (log) log.warn(cut, message);
      else process.emitWarning(message);
    }
    for (const request of listed) {
      if (!cleanupPending(request) || (await jobs.get(credentialCleanupJobId(request.id)))) continue;
      await jobs.schedule(cleanupJob(request.id, clock, pendingRetirementOf(request) && retirementDueAt(request)));
      scheduled++;
    }
  }
  return scheduled;
}

/** How {@link scheduleCleanupsForPending} reads and reports. */
export interface SweepOptions {
  /** Most requests read per state (default {@link PENDING_SWEEP_LIMIT}; tests use a small one). */
  limit?: number;
  /** Where a state read up to its bound is reported; without it, a process warning. */
  log?: Pick<Logger, 'warn'>;
}

/**
 * The clean-up job of request `requestId`, due {@link FIRST_CLEANUP_RETRY_MS} from now, or at
 * `notBefore` when that is later (a `--kind sp` rotation's {@link retirementDueAt}).
 */
export function cleanupJob(requestId: string, clock: Clock, notBefore?: Date): JobSpec {
  const soon = clock.now().getTime() + FIRST_CLEANUP_RETRY_MS;
  return {
    id: credentialCleanupJobId(requestId),
    kind: CREDENTIAL_CLEANUP_KIND,
    requestId,
    dueAt: new Date(Math.max(soon, notBefore?.getTime() ?? 0)),
  };
}

/**
 * One request's clean-up: true when it was cleaned up, false when its references were refused
 * (logged, audited and recorded refused) or what they name was not found too soon to decide.
 * Throws when a deletion fails or a token is still being written (retried with backoff).
 */
async function retryCleanup(request: AccessRequest, deps: CleanupDeps): Promise<boolean> {
  const { store, audit, ports, clock, log, reschedule, checkLease } = deps;
  // A run before this one deleted it and lost the final write: only that write is left (a second
  // look would find nothing and contradict the first in the audit).
  const entries = await audit.forRequest(request.id);
  if (entries.some((e) => e.action === 'credential.cleanup' && CLEANUP_DONE.includes(e.detail ?? ''))) {
    await store.update(
      transition(withLeftInError(request, leftInAudit(entries)), { type: 'cleanedUp', at: clock.now() }),
    );
    return true;
  }
  // Only references that the request's own records vouch for are acted on (G15): the stored
  // outcome could have been written by an older version, or tampered with.
  const pending = pendingRefs(request.outcome?.credentialRef);
  const refs = 'refs' in pending ? pending.refs : [];
  const problems =
    'problem' in pending
      ? [pending.problem]
      : refs.map((ref) => credentialRefProblem(ref, request)).filter((p): p is string => p !== undefined);
  if (problems.length) {
    // Audited before it is recorded refused, and logged once recorded (see the retirement's refusal).
    await audit.append(refusedEntry(request, problems.join('; ')));
    // The credential may exist: an operator must delete it; the card no longer promises a retry.
    await saveRefusal(request, { ...request.outcome!, error: errorAfterRefusal(request.outcome?.error) }, deps);
    log.error(
      { requestId: request.id, problems },
      'credential clean-up refused: reference unreadable or not recorded as created by this request',
    );
    return false;
  }
  const existed: boolean[] = [];
  // Not found now, but an earlier run had begun deleting it (its mark) and stopped before its entry.
  const deletedEarlier: boolean[] = [];
  const deleted: string[] = [];
  const sent: string[] = [];
  const left: LeftAssignment[] = [];
  // Tokens under a recorded name that Azure dates otherwise than acrbot recorded (G15): left in
  // place with the scope map they may use, as the revocation leaves them; their entry's detail.
  const leftTokens: string[] = [];
  for (const ref of refs.reverse()) {
    await checkLease?.();
    // The read is the deletion's: ARM is asked once.
    const created = recordedCreationOf(ref, request);
    const { tokenRead, left: foreign } = await checkOwnToken({ tokens: ports.tokens, log }, request.id, ref, created);
    if (foreign) {
      leftTokens.push(foreign.detail);
      continue;
    }
    const found = await deleteCredential(ports, ref, {
      ...markingDeletion(request, ref, audit),
      ...(tokenRead && { tokenRead }),
    });
    existed.push(found.found);
    deletedEarlier.push(!found.found && deletionStartedBefore(entries, request.id, ref));
    deleted.push(...found.deleted);
    sent.push(...found.requestIds);
    left.push(...leftInPlace(ref, found));
  }
  // What the deletions found is audited, and the job moved or the request written, by the
  // lease's holder only.
  await checkLease?.();
  await auditLeft(request, left, deps);
  for (const detail of leftTokens) await audit.append(leftTokenEntry(request, detail));
  // Not found: an application known by its recorded name (its creation's answer was lost), or a
  // token whose create Azure did not answer, or one deleted already. Soon after, Graph may not
  // show it yet, or ARM may not have taken the create yet; past ABSENT_AFTER_MS it does not exist.
  // One an earlier run had begun deleting waits the same: that run may have stopped before its
  // DELETE, and an application it deleted by id may not have been visible yet (answered 404).
  const decidedAt = Date.parse(request.updatedAt) + ABSENT_AFTER_MS;
  // A token left as not acrbot's was found: its clean-up is decided.
  if (!existed.some(Boolean) && !leftTokens.length && clock.now().getTime() < decidedAt) {
    // A scope map deleted meanwhile is said, not left out (the entry keeps it pending).
    if (deleted.length)
      await audit.append(
        cleanupEntry(
          request,
          'pending',
          `${deleted.join(', ')} deleted; the rest not found yet, looked for again later`,
          sent,
        ),
      );
    await reschedule({ ...cleanupJob(request.id, clock), dueAt: new Date(decidedAt) });
    return false;
  }
  const tokens = refs.every((ref) => ref.kind === 'token');
  // Only tokens left as not acrbot's: their entries say it all.
  const onlyLeft = leftTokens.length === refs.length;
  if (!onlyLeft)
    await audit.append(
      existed.some(Boolean)
        ? cleanupEntry(request, 'deleted', RETRIED_AND_DELETED, sent)
        : deletedEarlier.some(Boolean)
          ? cleanupEntry(request, 'deleted', RETRIED_CUT_SHORT, sent)
          : cleanupEntry(
              request,
              'absent',
              tokens
                ? 'not found on the registry: Azure did not create it, or it was deleted already'
                : 'not found under its recorded name: Graph did not create it',
              sent,
            ),
    );
  const cleaned = withLeftInError(request, left);
  await store.update(
    transition(leftTokens.length ? withLeftTokenInError(cleaned) : cleaned, { type: 'cleanedUp', at: clock.now() }),
  );
  return true;
}

/** A failed `request` whose outcome's error names each assignment its clean-up left in place. */
function withLeftInError(request: AccessRequest, left: LeftAssignment[]): AccessRequest {
  if (!left.length) return request;
  return { ...request, outcome: { ...request.outcome!, error: withLeft(request.outcome?.error, left) } };
}

/**
 * A failed `request` whose clean-up left a token under its recorded name as not acrbot's: its
 * outcome's error no longer promises a retry, and says so for an operator.
 */
function withLeftTokenInError(request: AccessRequest): AccessRequest {
  const error = errorInsteadOfPromises(request.outcome?.error, leftTokenSentence('the credential it had created'));
  return { ...request, outcome: { ...request.outcome!, error } };
}
