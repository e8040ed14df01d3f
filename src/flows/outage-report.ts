/**
 * The approvers' report of a request's job failing passingly (outage-report-failure.ts): in an
 * outage of Azure every end falling due fails alike, and a report per job per failure floods the
 * approvers' channel (hundreds of cards an hour, each one more read of card copies and one more
 * post to the Bot Connector) with news nobody can act on. So such failures are summed up: at most
 * one summary per approvers' channel, job kind and service status every
 * {@link OUTAGE_SUMMARY_EVERY_MS}, saying how many are waiting and since when; and a job posts
 * one at most once every {@link PASSING_REPORT_QUIET_MS}. Both limits are leases in the store, so
 * they hold across instances and restarts; nothing here is kept in memory. A refusal is not
 * passing and keeps its own report on every failure (composition/scheduler.ts).
 */
import { formatUtc } from '../domain/access-term';
import type { ApproverReportStyle } from '../domain/approver-report';
import type { Clock, LeaseStore, RequestStore, ScheduledJob, ScheduleStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { isThrottling, passingFailureAdvice } from './azure-failure-text';
import type { LifecycleMessenger } from './lifecycle-messenger';
import { failedPassingly, type PassingFailure } from './outage-report-failure';

/** At most one summary per approvers' channel, job kind and service status this often. */
export const OUTAGE_SUMMARY_EVERY_MS = 30 * 60_000;

/** A job that posted a summary posts none again for this long (unless its failure turns into a refusal). */
const PASSING_REPORT_QUIET_MS = 24 * 60 * 60_000;

/** Most jobs of a kind read to count the waiting ones (a range read of the schedule's keys). */
const OUTAGE_COUNT_LIMIT = 2000;

/** What {@link reportPassingFailure} needs. */
export interface OutageReportDeps {
  leases: LeaseStore;
  schedule: Pick<ScheduleStore, 'withIdPrefix'>;
  requests: Pick<RequestStore, 'get'>;
  clock: Clock;
  /** The approvers' report, with the summary's own title and tone (`style`): no one request's problem. */
  messenger: Pick<LifecycleMessenger, 'reportToApprovers'>;
  /** This instance's id: lease owners are made of it (unique per failure). */
  instanceId: string;
}

/**
 * Reports `job`'s passing `failure` (it failed as often as reports wait for): posts a summary to
 * the approvers of its request, unless one for the same channel, kind and failure went out within
 * {@link OUTAGE_SUMMARY_EVERY_MS} (this job is then counted by the next one: it tries again at its
 * next failure), or this job posted one within {@link PASSING_REPORT_QUIET_MS}. `what` names the
 * job's work as its report does (`Revoking the access`). Resolves whether it posted; throws when
 * the store fails (the scheduler logs it: a store down is no reason to post per job).
 */
export async function reportPassingFailure(
  deps: OutageReportDeps,
  job: ScheduledJob,
  failure: PassingFailure,
  what: (request: AccessRequest | undefined) => string,
): Promise<boolean> {
  const jobKey = `report.passing:${job.id}`;
  if (await deps.leases.holder(jobKey)) return false;
  const request = job.requestId ? await deps.requests.get(job.requestId) : undefined;
  // The channel a request's reports go to is its rule's (or the general approvals channel for
  // every rule without one): the rule stands for it here, as this layer does not route posts.
  const channel = request?.policy?.ruleId ?? '-';
  // Unique per failure: an owner taking its own lease again would be let through.
  const owner = `${deps.instanceId}/${job.id}/${job.attempts}`;
  const summary = await deps.leases.acquire(
    `report.outage:${channel}:${job.kind}:${failure.key}`,
    owner,
    OUTAGE_SUMMARY_EVERY_MS,
  );
  if (!summary) return false;
  const jobLease = await deps.leases.acquire(jobKey, owner, PASSING_REPORT_QUIET_MS);
  if (!jobLease) {
    // Another instance posts for this job right now: the summary is left to it.
    await deps.leases.release(summary);
    return false;
  }
  try {
    // The jobs an outage holds up: failing passingly (a job refused, a 403 or a lock, needs a
    // person and is reported on its own), this one included once its failure is recorded.
    const read = await deps.schedule.withIdPrefix(`${job.kind}:`, OUTAGE_COUNT_LIMIT);
    const waiting = read.filter((j) => j.kind === job.kind && (j.id === job.id || failedPassingly(j)));
    const count = Math.max(1, waiting.length);
    const atLeast = read.length >= OUTAGE_COUNT_LIMIT;
    const since = await waitingSince(deps, job, waiting, request);
    await deps.messenger.reportToApprovers(
      request,
      outageSummaryText({ what: what(request), job, others: count - 1, atLeast, since, failure }),
      outageSummaryStyle({ kind: job.kind, count, atLeast, failure }),
    );
    return true;
  } catch (err) {
    // Nothing posted: neither lease may stand for a summary that never went out (this job quiet
    // for a day, the channel for half an hour). Released best effort; the error goes on.
    await Promise.allSettled([deps.leases.release(summary), deps.leases.release(jobLease)]);
    throw err;
  }
}

/**
 * When the longest-waiting end among `waiting` fell due: the end of the request of the job that
 * failed most often (the oldest failure, as every job backs off alike). One request read; only
 * for revocations, whose ends the request records; undefined for other kinds or a due time to come.
 */
async function waitingSince(
  deps: OutageReportDeps,
  job: ScheduledJob,
  waiting: readonly ScheduledJob[],
  /** `job`'s request, read already: not read again when it is the oldest. */
  jobRequest: AccessRequest | undefined,
): Promise<string | undefined> {
  if (job.kind !== 'access.expire') return undefined;
  const oldest = waiting.reduce((a, b) => (b.attempts > a.attempts ? b : a), job);
  const request =
    oldest.requestId === job.requestId
      ? jobRequest
      : oldest.requestId
        ? await deps.requests.get(oldest.requestId)
        : undefined;
  const end = request?.access?.revokingSince ?? request?.access?.expiresAt;
  return end && Date.parse(end) <= deps.clock.now().getTime() ? end : undefined;
}

/** What `count` jobs of `kind` are, as the summary counts them: "3 access ends", "1 task". */
function waitingJobs(kind: string, count: number): string {
  const one = count === 1;
  return kind === 'access.expire' ? `${count} access end${one ? '' : 's'}` : `${count} task${one ? '' : 's'}`;
}

/**
 * The summary's title and tone: the outage (or throttling) and how many jobs of the kind wait on
 * it ("Azure outage: 42 access ends waiting"), in Warning, without the facts of the request whose
 * job posts it: the card is about them all, that request only routes it to its approvers.
 */
export function outageSummaryStyle(parts: {
  kind: ScheduledJob['kind'];
  /** How many jobs of its kind are waiting, this one included. */
  count: number;
  atLeast: boolean;
  failure: PassingFailure;
}): ApproverReportStyle {
  const { kind, count, atLeast, failure } = parts;
  const cause = isThrottling(failure.answer) ? 'throttling' : 'outage';
  return {
    title: `${failure.service} ${cause}: ${atLeast ? 'at least ' : ''}${waitingJobs(kind, count)} waiting`,
    tone: 'warning',
    requestFacts: false,
  };
}

/**
 * The summary's text: this job's work and attempts, how many of its kind are waiting in all and
 * when the oldest of them fell due, the failure as a passing one (acrbot retries; nothing by hand
 * unless it lasts), and how often this channel hears of it. The due time is the oldest's of them
 * all, this job included (waitingSince), so it is said of the whole count.
 */
export function outageSummaryText(parts: {
  what: string;
  job: Pick<ScheduledJob, 'kind' | 'attempts' | 'dueAt'>;
  /** How many more jobs of its kind are waiting. */
  others: number;
  /** The count stopped at the read's limit. */
  atLeast: boolean;
  /** When the longest-waiting end fell due. */
  since?: string;
  failure: PassingFailure;
}): string {
  const { what, job, others, failure } = parts;
  const expire = job.kind === 'access.expire';
  const attempts = `${job.attempts} attempt${job.attempts === 1 ? '' : 's'}`;
  const since = parts.since ? ` (${others > 0 ? 'the oldest ' : ''}due at ${formatUtc(parts.since)})` : '';
  // Two or more in all whenever others wait: "one of 2 access ends waiting" reads for any count.
  const like = expire ? '' : ' like it';
  const more =
    others > 0
      ? `, one of ${parts.atLeast ? 'at least ' : ''}${waitingJobs(job.kind, others + 1)}${like} waiting${since}`
      : since;
  const next = `Next attempt at ${job.dueAt.slice(0, 16).replace('T', ' ')} UTC.`;
  return `${what} is not done after ${attempts}${more}.${passingFailureAdvice(failure.service, failure.answer, expire)} ${next} While it lasts, this channel gets one such summary at most every ${OUTAGE_SUMMARY_EVERY_MS / 60_000} minutes; a refusal is still reported on its own.`;
}
