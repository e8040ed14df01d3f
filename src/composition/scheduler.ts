/**
 * Step "scheduler": the persisted job runner, and the one place where job kinds get their
 * handlers ({@link registerJobs}); a new job kind adds one `register` line there.
 */
import { REOPENED_KIND } from '../flows/pause-waiters';
import type { AppConfig } from '../config/config';
import type { AuditEvent } from '../domain/audit-chain';
import type { Clock, ScheduledJob } from '../domain/ports';
import { formatUtc } from '../domain/access-term';
import { accessEnd } from '../domain/access-inventory';
import { byHandDelete, roleAssignmentDeleteCommand } from '../domain/by-hand-delete';
import type { AccessRequest } from '../domain/request';
import { decodeCredentialRef } from '../domain/secret-credential';
import { causesOf } from '../domain/error-causes';
import { credentialName } from '../flows/secret-run-text';
import { CREDENTIAL_CLEANUP_KIND } from '../flows/credential-cleanup';
import { ORPHAN_WATCH_KIND } from '../flows/orphan-watch';
import { DRIFT_JOB_ID } from '../flows/drift-detector';
import { LOST_END_RECHECK_MS } from '../flows/access-end-net';
import { REVIEW_NET_RECHECK_MS } from '../flows/review-reject-net';
import { isUserFacing, UserFacingError } from '../domain/errors';
import { CloudApiError } from '../domain/ports';
import { azureLookupIds, revocationAdvice } from '../flows/azure-failure-text';
import { passingFailure } from '../flows/outage-report-failure';
import { reportPassingFailure } from '../flows/outage-report';
import { DEFAULT_JOB_BACKOFF_MS, JOB_BACKOFF_JITTER, jobCorrelationId, RetryAt, Scheduler } from '../flows/scheduler';
import { purgeStores, STORE_PURGE_JOB_ID } from '../flows/store-purge';
import type { LifecycleMessenger } from '../flows/lifecycle-messenger';
import type { Logger } from '../observability/logger';
import type { Flows } from './flows';
import type { Stores } from './stores';
import { instanceOwner } from './instance-owner';

/**
 * A recurring job without a request (and the orphan watch) that keeps failing is reported to the
 * approvers after `reportAfterAttempts` failures, then after every this many more: once a day at
 * the 30-minute backoff, not every half hour.
 */
export const RECURRING_REPORT_EVERY = 48;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How many failures of a recurring job (or the orphan watch) apart it is reported, so that it is
 * about once a day, from this failure's wait (`untilNextMs`, to the job's next attempt): at the
 * longest backoff step {@link RECURRING_REPORT_EVERY} (the step is spread up to a fifth sooner,
 * differently at each failure, so counted at the 30-minute step); at any other wait as many as fit
 * in a day: a handler's time ({@link RetryAt}: a drift check at its interval, sooner or later than
 * the step), and every failure once they are about a day apart (the orphan watch's daily look).
 * The shorter steps come first, at counts far above the failures made by then: no report past the
 * first.
 */
function reportEvery(untilNextMs: number, longestBackoffMs: number): number {
  const atLongestStep = untilNextMs >= (1 - JOB_BACKOFF_JITTER) * longestBackoffMs && untilNextMs <= longestBackoffMs;
  if (atLongestStep || !(untilNextMs > 0)) return RECURRING_REPORT_EVERY;
  return Math.max(1, Math.round(DAY_MS / untilNextMs));
}

/** Builds the scheduler (not started; {@link startBackground} starts it after listen). */
export function createScheduler(
  config: AppConfig,
  deps: { stores: Stores; clock: Clock; log: Logger; messenger: LifecycleMessenger },
  options: { sweepIntervalMs?: number; instanceId?: string; jobBackoffMs?: number[]; jobReportAfterAttempts?: number },
): Scheduler {
  const { stores, messenger } = deps;
  const reportAfter = options.jobReportAfterAttempts ?? 3;
  const backoff = options.jobBackoffMs ?? DEFAULT_JOB_BACKOFF_MS;
  const instanceId = instanceOwner(options);
  return new Scheduler(stores.schedule, stores.leases, deps.clock, deps.log, {
    instanceId,
    sweepIntervalMs: options.sweepIntervalMs ?? config.sweepIntervalMs,
    // How long one instance holds a job before another may take it over (renewed while it runs).
    leaseTtlMs: config.leaseTtlMs,
    backoffMs: options.jobBackoffMs,
    // A job that keeps failing (a revocation Azure refuses) is reported to the approvers (G17).
    reportAfterAttempts: reportAfter,
    reporter: async (job, err) => {
      // A kind no instance knows is reported once by the scheduler, after days, and never ran:
      // no attempts to count, no cadence to keep.
      if (err instanceof UserFacingError && err.code === 'job.kindUnknown') {
        const request = job.requestId ? await stores.requests.get(job.requestId) : undefined;
        await messenger.reportToApprovers(request, `The background job ${job.id} has not run: ${err.message}.`);
        return;
      }
      // A request's job is reported on every later failure (access is at stake); a recurring job
      // (drift.check, audit.anchor, store.purge) once, then daily while it keeps failing. So is the
      // orphan watch, though a request's: its failure (a registry moved back without acrbot's
      // rights) lasts until an operator gives them back, up to its 90 days, and every report would
      // say the same. Daily in time, at the backoff or at its handler's time (reportEvery).
      const daily = !job.requestId || job.kind === ORPHAN_WATCH_KIND;
      const every = reportEvery(Date.parse(job.dueAt) - deps.clock.now().getTime(), backoff[backoff.length - 1]);
      if (daily && (job.attempts - reportAfter) % every !== 0) return;
      // A request's job failing passingly (Azure down: 5xx, 408, 429, no answer) has a common
      // cause nobody here can mend: summed up per channel and failure, at most every half hour,
      // and each job at most once a day (outage-report.ts); a refusal is still reported each time.
      const passing = daily ? undefined : passingFailure(err);
      if (passing) {
        const answer = answerForApprovers(err, job.id);
        await reportPassingFailure(
          { ...stores, clock: deps.clock, messenger, instanceId },
          job,
          passing,
          (request) => jobInWords(job, request, answer).what,
        );
        return;
      }
      const request = job.requestId ? await stores.requests.get(job.requestId) : undefined;
      const revoking = job.kind === 'access.expire';
      // The card names the work as people know it; the kind stays in the log line and the job.
      const answer = answerForApprovers(err, job.id);
      const words = jobInWords(job, request, answer);
      // "Not done", not "failed": a revocation waiting for an extension being granted lands here too.
      const attempts = `${job.attempts} attempt${job.attempts === 1 ? '' : 's'}`;
      // What an approver can do meanwhile, matched to the failure (revocationAdvice).
      const meanwhile = revoking ? revocationAdvice(err, request) : words.meanwhile;
      await messenger.reportToApprovers(
        request,
        `${words.what} is not done after ${attempts} (last answer: ${answer}). acrbot keeps trying; next attempt at ${job.dueAt.slice(0, 16).replace('T', ' ')} UTC.${meanwhile}`,
      );
    },
  });
}

/**
 * A failing job as its report names it (`what`, the subject of "… is not done"), and what an
 * approver can do meanwhile (a sentence, leading space). The work as people know it, never the
 * job's kind: a reminder names whom it is for and when their access ends, so an approver can tell
 * them; work only operators can mend sends to the platform team with the run's reference.
 * `access.expire` has its own advice in the reporter (revocationAdvice).
 */
export function jobInWords(
  job: Pick<ScheduledJob, 'id' | 'kind' | 'requestId'>,
  request: AccessRequest | undefined,
  answer: string,
): { what: string; meanwhile: string } {
  const id = request?.id ?? job.requestId;
  const of = id ? ` of ${id}` : '';
  const reference = jobCorrelationId(job.id);
  // The answer may carry the reference already ("unexpected error (reference …)").
  const platformTeam = ` Tell the platform team (reference ${reference})${answer.includes(reference) ? '' : ", so they can find it in acrbot's logs"}.`;
  switch (job.kind) {
    case 'access.expire':
      return { what: 'Revoking the access', meanwhile: '' };
    case 'access.remind': {
      const who = request?.requester.name ?? 'the requester';
      // The reminder is of whichever ends first: the term, or a pull secret's credential (pulls
      // with the secret stop then, whatever the term says).
      const ends = request && accessEnd(request);
      const credentialFirst = ends !== undefined && ends !== request?.access?.expiresAt;
      const what = credentialFirst ? "its pull secret's credential expires" : 'the access ends';
      return {
        what: `Posting the expiry reminder${id ? ` for ${id}` : ''} to ${who}`,
        meanwhile: ends ? ` Meanwhile, tell ${who} that ${what} at ${formatUtc(ends)}.` : '',
      };
    }
    case 'approval.remind':
    case 'approval.escalate':
      return {
        what: `${job.kind === 'approval.remind' ? 'Reminding the approvers' : 'Asking the escalation approvers'}${of}`,
        meanwhile: id ? ` Meanwhile, ${id} is still waiting for a decision on its approval card.` : '',
      };
    case 'approval.announce':
      return {
        what: `Posting the approval card${of}`,
        meanwhile: id ? ` Meanwhile, approvers can find ${id} with "@acrbot pending".` : '',
      };
    case 'breakglass.review':
      return {
        what: `Reporting the unreviewed break-glass access${of} again`,
        meanwhile: id ? ` Meanwhile, review it from its card.` : '',
      };
    case 'request.expire':
      return {
        what: `Marking ${id ?? 'a request'} as expired (no decision in time)`,
        meanwhile: id
          ? ` Meanwhile, an approver can reject it, or its requester withdraw it with "@acrbot cancel ${id}".`
          : '',
      };
    case 'access.orphanWatch':
      return {
        what: `Looking whether the registry of ${id ?? 'a revoked grant'} is back, to delete the role assignment left there`,
        meanwhile: ` Meanwhile, if the registry is back at that id, delete the role assignment by hand (${(request?.plan.kind === 'grant' && byHandDelete(request)?.command) || roleAssignmentDeleteCommand('ROLE_ASSIGNMENT_ID')}).${platformTeam}`,
      };
    case 'cleanup.credential': {
      // Named as the outcome names it (never a secret), so the platform team knows what to delete.
      const ref = decodeCredentialRef(request?.outcome?.credentialRef);
      const named = ref ? ` (${credentialName(ref, ref.kind === 'sp' ? ref.appId : '')})` : '';
      return { what: `Deleting the credential left over${id ? ` from ${id}` : ''}${named}`, meanwhile: platformTeam };
    }
    case 'audit.retry':
      return {
        what: `Writing an audit entry${id ? ` for ${id}` : ''} that failed earlier`,
        meanwhile: ` The audit log lacks that entry until then.${platformTeam}`,
      };
    case 'drift.check':
      return {
        what: 'Checking granted access against Azure (the drift check)',
        meanwhile: ` Until it runs, access changed outside acrbot goes unnoticed.${platformTeam}`,
      };
    case 'audit.anchor':
      return { what: "Publishing the audit log's anchor (its tamper check)", meanwhile: platformTeam };
    case 'store.purge':
      return { what: 'Clearing expired conversation state', meanwhile: platformTeam };
    default:
      return { what: `A background task${of}`, meanwhile: platformTeam };
  }
}

/**
 * What a report of a failing job says of its last failure. Only text meant for users: the message
 * of a {@link UserFacingError}, or the status and code of a {@link CloudApiError} (its message
 * may echo the request; of a 403, only the denied action it names, checked, and the request id:
 * {@link refusalAnswer}) — the first of either in the `cause` chain. Several failures at once (an
 * AggregateError: a request's secrets each failing) are answered by the one their writer named
 * the cause, else from their members ({@link groupAnswer}): a mass end on a stopped cluster or
 * under throttling says so, not "unexpected error". Anything else (a store's or a library's raw
 * message, which may name internals) is "unexpected error" with the reference the run's log lines
 * carry; the job's `lastError` in the store and the failure's log line keep the full text for
 * operators.
 */
export function answerForApprovers(err: unknown, jobId: string): string {
  // The scheduler runs every job under this correlation id (flows/scheduler.ts): the failure's
  // log line carries it.
  return knownAnswer(err, jobId, 0) ?? unexpectedAnswer(jobId);
}

/** The answer of a failure nothing in it is worded for people: the reference of its log lines. */
function unexpectedAnswer(jobId: string): string {
  return `unexpected error (reference ${jobCorrelationId(jobId)})`;
}

/** How deep groups within groups are read: a group of members that are groups themselves, no further. */
const GROUP_DEPTH = 2;

/** Most distinct member answers a group's answer lists; the rest are counted. */
const GROUP_ANSWERS_SHOWN = 3;

/**
 * {@link answerForApprovers}' answer for `err`, or undefined when nothing in it is worded for
 * people. `depth`: the groups read on the way here.
 */
function knownAnswer(err: unknown, jobId: string, depth: number): string | undefined {
  for (const e of causesOf(err)) {
    if (isUserFacing(e)) return e.message;
    if (e instanceof CloudApiError) return e.statusCode === 403 ? refusalAnswer(e) : cloudAnswer(e);
    if (e instanceof AggregateError && e.errors.length && depth < GROUP_DEPTH) {
      // A group that names one member its cause is answered by it, as its writer meant (a drift
      // run: the sweep's failure, an ARM answer, first); else, or when it has none, by its members.
      const answer =
        (e.cause !== undefined && knownAnswer(e.cause, jobId, depth)) || groupAnswer(e.errors, jobId, depth + 1);
      if (answer) return answer;
    }
  }
  return undefined;
}

/**
 * Several failures at once, as one answer: the same answer from every member (each secret on
 * one stopped cluster: its message, which names `az aks start`; each call throttled: `429
 * TooManyRequests`) is said once; different ones are listed (the first few, the rest counted),
 * with the members nothing is worded for as unexpected errors under the run's reference.
 * Undefined when no member has an answer (an unexpected error, then, unless the chain goes on).
 */
function groupAnswer(members: readonly unknown[], jobId: string, depth: number): string | undefined {
  const answers = members.map((m) => knownAnswer(m, jobId, depth));
  const known = [...new Set(answers.filter((a): a is string => a !== undefined))];
  if (!known.length) return undefined;
  const unexpected = answers.length - answers.filter((a) => a !== undefined).length;
  if (known.length === 1 && !unexpected) return known[0];
  const shown = known.slice(0, GROUP_ANSWERS_SHOWN);
  const more = known.length - shown.length;
  const parts = [
    ...shown,
    ...(more ? [`${more} other answer${more === 1 ? '' : 's'}`] : []),
    ...(unexpected
      ? [`${unexpected} unexpected error${unexpected === 1 ? '' : 's'} (reference ${jobCorrelationId(jobId)})`]
      : []),
  ];
  return `${members.length} failures: ${parts.join('; ')}`;
}

/** A {@link CloudApiError}'s status and code: `503 ServiceUnavailable`. */
function cloudAnswer(e: CloudApiError): string {
  return e.statusCode ? `${e.statusCode} ${e.code}` : e.code;
}

/**
 * ARM's denied action in its AuthorizationFailed message ("… to perform action
 * 'Microsoft.Authorization/roleAssignments/delete' over scope …"): a provider's operation, which
 * the check below lets through alone. The rest of the message (the client, the scope) stays in the
 * log and the job.
 */
const DENIED_ACTION = /perform action '([^']{1,200})'/;
const OPERATION = /^[A-Za-z][A-Za-z0-9.]{0,60}(\/[A-Za-z][A-Za-z0-9.]{0,60}){1,8}$/;

/**
 * A refusal (403) as approvers read it: its status and code, the action ARM says acrbot's identity
 * may not do (only when shaped like an operation: checked, never ARM's text as it came), and the
 * request id the platform team finds the refusal by (Graph's named as Graph's, azureLookupIds).
 */
function refusalAnswer(e: CloudApiError): string {
  const action = DENIED_ACTION.exec(e.message)?.[1];
  const denied = action && OPERATION.test(action) ? `, denied action ${action}` : '';
  return `${cloudAnswer(e)}${denied}${e.requestId ? `, ${azureLookupIds(e)}` : ''}`;
}

/** Id of the recurring anchor job (whichever instance runs it schedules the next run). */
export const AUDIT_ANCHOR_JOB_ID = 'audit.anchor';

/** Registers the handler of every job kind. */
export function registerJobs(
  scheduler: Scheduler,
  flows: Flows,
  anchoring?: { publish(): Promise<unknown>; intervalMs: number; clock: Clock },
  purging?: { stores: Pick<Stores, 'dialogs' | 'abuse'>; intervalMs: number; clock: Clock; log: Logger },
  log?: Logger,
): void {
  // A run checks its lease before its work and before it schedules the next run: a holder woken
  // past its lease (a long pause) would otherwise publish one more anchor, or move the next run
  // the instance that took the job over has already scheduled.
  if (purging)
    scheduler.register('store.purge', async (_job, run) => {
      await run.check();
      const purged = await purgeStores(purging.stores, purging.clock);
      if (purged.dialogs || purged.sightings) purging.log.debug({ purged }, 'purged expired dialogs and sightings');
      await run.check();
      await scheduler.schedule({
        id: STORE_PURGE_JOB_ID,
        kind: 'store.purge',
        dueAt: new Date(purging.clock.now().getTime() + purging.intervalMs),
      });
    });
  if (anchoring)
    scheduler.register('audit.anchor', async (_job, run) => {
      await run.check();
      await anchoring.publish();
      await run.check();
      await scheduler.schedule({
        id: AUDIT_ANCHOR_JOB_ID,
        kind: 'audit.anchor',
        dueAt: new Date(anchoring.clock.now().getTime() + anchoring.intervalMs),
      });
    });
  // Anchors turned off (ACRBOT_AUDIT_ANCHOR unset): the recurring job stored while they were on
  // ends at its next run instead of failing for want of a handler every half hour for ever.
  else
    scheduler.register('audit.anchor', async () => {
      log?.info('audit anchors are off (ACRBOT_AUDIT_ANCHOR is not set): the recurring audit.anchor job ends');
    });
  registerCoreJobs(scheduler, flows);
}

function registerCoreJobs(scheduler: Scheduler, flows: Flows): void {
  // An audit entry that failed after an Azure change: written until it succeeds (backoff).
  // Under its idempotency key, so a run after one whose append was stored (the job's delete
  // failed, the instance died before it) appends nothing. A job stored before events carried
  // a key falls back on its own id: its own re-runs then write the entry once.
  scheduler.register('audit.retry', async (job) => {
    const event = job.payload?.event as AuditEvent | undefined;
    if (event) await flows.executor.appendRetried({ ...event, idempotencyKey: event.idempotencyKey ?? job.id });
  });
  // Someone refused while new access was paused, told once it is lifted (flows/pause-waiters.ts).
  scheduler.register(REOPENED_KIND, (job) => flows.pauses.waiters?.onDue(job) ?? Promise.resolve());
  scheduler.register('request.expire', async (job) => {
    if (job.requestId) await flows.requests.expireIfDue(job.requestId);
  });
  scheduler.register('access.expire', (job, run) => flows.lifecycle.onExpire(job, run));
  scheduler.register('access.remind', (job, run) => flows.lifecycle.onReminder(job, run));
  // A revoked grant's role assignment left at a gone registry's id: deleted if a registry is
  // there again within the watch's window (orphan-watch.ts).
  scheduler.register(ORPHAN_WATCH_KIND, (job, run) => flows.lifecycle.onOrphanWatch(job, run));
  scheduler.register('approval.remind', (job, run) => flows.nudges.remind(job, run));
  scheduler.register('approval.escalate', (job, run) => flows.nudges.escalate(job, run));
  // The approvers' card of a request whose announcement did not post it (a process that stopped).
  scheduler.register('approval.announce', (job, run) => flows.announcements.onDue(job, run));
  scheduler.register('breakglass.review', (job, run) => flows.nudges.reviewDue(job, run));
  scheduler.register(CREDENTIAL_CLEANUP_KIND, async (job, run) => {
    if (job.requestId) await flows.cleanups.retry(job.requestId, run);
  });
  // One recurring job with a fixed id: whichever instance runs it schedules the next run. A run
  // also gives active access whose end job was lost its end job back (access-end-net.ts; at most
  // every LOST_END_RECHECK_MS across instances, as it reads an end job per active grant): both
  // check live grants against acrbot's own records, and neither hides the other — the drift
  // sweep runs whatever the net met. A failure of either (a registry whose assignments cannot be
  // listed: the sweep checked and recorded every other one first) fails the run, recorded and
  // reported as a failing job's, and its retry is the next regular run (RetryAt, sooner or later
  // than the backoff): the run is never given up on, and keeps its cadence however long it fails.
  scheduler.register('drift.check', async (_job, run) => {
    await run.check();
    // Decisions a stopped process left half done (review-reject-net.ts); never throws.
    await flows.requests.finishStoredDecisions({ atMostEveryMs: REVIEW_NET_RECHECK_MS });
    const failures: unknown[] = [];
    await flows.lifecycle
      .scheduleLostEnds({ atMostEveryMs: LOST_END_RECHECK_MS })
      .catch((err: unknown) => void failures.push(err));
    await flows.drift.sweep().catch((err: unknown) => void failures.unshift(err));
    const next = flows.drift.nextRunAt();
    if (failures.length) throw new RetryAt(next, failures.length === 1 ? failures[0] : bothFailed(failures));
    await run.check();
    await scheduler.schedule({ id: DRIFT_JOB_ID, kind: 'drift.check', dueAt: next });
  });
}

/** A drift run's failures as one error: each message, the first (the sweep's) as the cause the report names. */
function bothFailed(failures: readonly unknown[]): AggregateError {
  const text = failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; ');
  return new AggregateError(failures, text, { cause: failures[0] });
}
