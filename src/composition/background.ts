/**
 * Step "background": work that starts after the server listens: resuming interrupted
 * executions, retrying credential clean-ups, the safety nets for jobs that were lost (reviews,
 * ends), the first runs of recurring jobs, and the scheduler's sweep. The returned function
 * stops what was started here.
 */
import type { Clock } from '../domain/ports';
import { scheduleCleanupsForPending } from '../flows/credential-cleanup';
import { DRIFT_JOB_ID } from '../flows/drift-detector';
import { OUTCOME_NET_RECHECK_MS } from '../flows/outcome-told-net';
import {
  listsToCount,
  type NarrowedSettings,
  notServedCounts,
  settingsLeftBehind,
  type StartLists,
} from '../flows/settings-left-behind';
import { STORE_PURGE_JOB_ID } from '../flows/store-purge';
import { AUDIT_ANCHOR_JOB_ID } from './scheduler';
import type { Scheduler } from '../flows/scheduler';
import type { Logger } from '../observability/logger';
import type { Flows } from './flows';
import type { Stores } from './stores';

/** What the background work runs on. */
export interface BackgroundDeps {
  flows: Flows;
  stores: Stores;
  scheduler: Scheduler;
  clock: Clock;
  log: Logger;
  /** ACRBOT_AUDIT_ANCHOR_INTERVAL, when anchors are published. */
  anchorIntervalMs?: number;
  /**
   * ACRBOT_ALLOWED_TENANTS (with the sandbox's tenant filled in): requests of another tenant left
   * in the store are counted at start, as nobody can decide or see them any more.
   */
  allowedTenantIds?: readonly string[];
  /**
   * ACRBOT_ALLOW_PERMANENT and ACRBOT_SUBSCRIPTION_IDS: live permanent access while permanent
   * access is not allowed, and requests in a subscription no longer listed, are counted at start
   * ({@link warnOfSettingsLeftBehind}). Absent: not counted.
   */
  narrowed?: NarrowedSettings;
  /**
   * false: the caller takes SIGHUP for the whole life of the process and calls
   * {@link reloadPolicyOnSighup}'s function while the app runs (src/index.ts). Default true: this
   * step takes it from here until its stop begins (in-process tests emit SIGHUP).
   */
  takeSighup?: boolean;
}

/**
 * What SIGHUP does while acrbot runs: reloads the approval policy file (G18). Without a file it
 * says so and changes nothing: SIGHUP is still taken, since Node's default would end the process
 * at once, without the graceful shutdown, for an operator who only meant to reload.
 */
export function reloadPolicyOnSighup(flows: Pick<Flows, 'policies'>, log: Logger): () => void {
  return () =>
    flows.policies.watching
      ? void flows.policies.reload()
      : log.info('SIGHUP: there is no approval policy file (ACRBOT_POLICY) to reload; nothing changed');
}

/**
 * Says at start what a narrowed ACRBOT_ALLOW_PERMANENT or ACRBOT_SUBSCRIPTION_IDS left in the
 * store (settings-left-behind.ts), one warning each, with what to do: acrbot changes none of it.
 * Live permanent access has no end, so nothing ends it once the setting is off; requests in a
 * subscription no longer listed stay in the store, on resources acrbot may since have lost its
 * rights on (a live one's end then fails, and is retried and reported).
 */
function warnOfSettingsLeftBehind(lists: StartLists, narrowed: NarrowedSettings, log: Logger): void {
  const { permanent, unlisted, boundReached } = settingsLeftBehind(lists, narrowed);
  if (permanent.active)
    log.warn(
      { permanent: permanent.active, requestIds: permanent.requestIds, boundReached },
      'permanent access is still live though ACRBOT_ALLOW_PERMANENT is off; it never ends: revoke it (@acrbot revoke REQUEST-ID REASON, for each of requestIds)',
    );
  if (unlisted.pending || unlisted.active)
    log.warn(
      { ...unlisted, boundReached },
      'requests on clusters or registries of subscriptions no longer in ACRBOT_SUBSCRIPTION_IDS remain: reject the pending ones, and revoke the live ones (@acrbot revoke REQUEST-ID REASON) before acrbot loses its rights there, or add the subscription back',
    );
}

/**
 * Says at start what narrowed settings left in the store: requests of a tenant taken out of
 * ACRBOT_ALLOWED_TENANTS, undecidable and unseen (tenant-boundary.ts) until they expire or end;
 * and ACRBOT_ALLOW_PERMANENT turned off, or a subscription taken out of ACRBOT_SUBSCRIPTION_IDS
 * ({@link warnOfSettingsLeftBehind}). The counts share the pending and live requests (up to
 * WAITING_SCAN_LIMIT each), each read once here ({@link listsToCount}).
 */
export async function warnOfNarrowedSettings(
  store: Pick<BackgroundDeps['stores']['requests'], 'listByState'>,
  settings: Pick<BackgroundDeps, 'allowedTenantIds' | 'narrowed'>,
  log: Logger,
): Promise<void> {
  const served = settings.allowedTenantIds?.length ? settings.allowedTenantIds : undefined;
  const lists = await listsToCount(store, { tenants: served !== undefined, narrowed: settings.narrowed });
  if (served) {
    const notServed = notServedCounts(lists, served);
    if (notServed.pending || notServed.active)
      log.warn(notServed, 'requests of tenants no longer served (ACRBOT_ALLOWED_TENANTS) remain');
  }
  if (settings.narrowed) warnOfSettingsLeftBehind(lists, settings.narrowed, log);
}

/** Starts the background work; returns how to stop it. */
export async function startBackground(deps: BackgroundDeps): Promise<() => Promise<void>> {
  const { flows, stores, scheduler, clock, log } = deps;
  const resumed = await flows.executor.resumeInterrupted();
  if (resumed) log.info({ resumed }, 'resuming interrupted executions');
  // Runs whose outcome was saved but not told (outcome-told-net.ts): not awaited, as telling
  // calls Teams; the executor's close waits for it. Again with every resume sweep below.
  void flows.executor.tellUntoldOutcomes();
  // Pending credential clean-ups without a job of their own (recorded before the job existed):
  // in the background, as it reads the failed, succeeded and revoked requests; awaited by the
  // stop (and by a step below that fails the start), which would otherwise close the store
  // underneath it.
  const cleanups = scheduleCleanupsForPending(stores.requests, scheduler, clock, { log }).then(
    (count) => {
      if (count) log.warn({ cleanups: count }, 'scheduled missing credential clean-up jobs');
    },
    (err: unknown) => log.error({ err }, 'scheduling missing credential clean-up jobs failed'),
  );
  try {
    return await startTheRest(deps, cleanups);
  } catch (err) {
    // The caller stops what was started (and closes the store) once this rejects.
    await cleanups;
    throw err;
  }
}

/** The steps after the clean-up pass began; `cleanups` settles when it ends (never rejects). */
async function startTheRest(deps: BackgroundDeps, cleanups: Promise<void>): Promise<() => Promise<void>> {
  const { flows, stores, scheduler, clock, log } = deps;
  // Pending requests stored before the schedule existed get their expiry job (idempotent).
  await flows.requests.scheduleExpiryForPending();
  await warnOfNarrowedSettings(stores.requests, deps, log);
  // Break-glass grants owing a review but without a review job (stored before the job was
  // scheduled first, or the job was lost) get one, so they are reported until reviewed.
  const reviews = await flows.requests.scheduleReviewsForUnreviewed(
    async (id) => (await stores.schedule.get(id)) !== undefined,
  );
  if (reviews) log.warn({ reviews }, 'scheduled missing break-glass review jobs');
  // The drift check's first run; later runs are scheduled by the job itself (a restart does not postpone it).
  if (!(await stores.schedule.get(DRIFT_JOB_ID)))
    await scheduler.schedule({ id: DRIFT_JOB_ID, kind: 'drift.check', dueAt: flows.drift.nextRunAt() });
  // Audit anchors: the first run soon after start, then every ACRBOT_AUDIT_ANCHOR_INTERVAL. A job
  // due later than one interval from now was not put there by acrbot (someone who can write the
  // schedule, stopping anchors before cutting the tail): it is brought back to now.
  if (stores.anchors) {
    const anchorJob = await stores.schedule.get(AUDIT_ANCHOR_JOB_ID);
    const latest = clock.now().getTime() + (deps.anchorIntervalMs ?? 0);
    if (!anchorJob || (deps.anchorIntervalMs !== undefined && Date.parse(anchorJob.dueAt) > latest)) {
      if (anchorJob) log.warn({ dueAt: anchorJob.dueAt }, 'the audit.anchor job was due too late; it runs now');
      await scheduler.schedule({ id: AUDIT_ANCHOR_JOB_ID, kind: 'audit.anchor', dueAt: clock.now() });
    }
  }
  // Abandoned dialogs expire (ACRBOT_DIALOG_TTL) and old redelivery sightings are forgotten: the
  // recurring `store.purge` job (one instance at a time, under its lease) keeps the store flat (G16).
  if (!(await stores.schedule.get(STORE_PURGE_JOB_ID)))
    await scheduler.schedule({ id: STORE_PURGE_JOB_ID, kind: 'store.purge', dueAt: clock.now() });
  // Active access whose end job was lost (a store restored from an older backup, a row deleted)
  // gets it back (G17): in the background, as it reads up to LOST_END_SCAN_LIMIT active requests
  // and their jobs; here, after every step that can fail the start, and awaited by the stop.
  // Every `drift.check` run looks again (scheduler.ts).
  const lostEnds = flows.lifecycle
    .scheduleLostEnds()
    .catch((err: unknown) =>
      log.error({ err }, 'scheduling lost access end jobs failed; the next drift check tries again'),
    );
  // Decisions a stopped process left half done (a break-glass Reject stored, not audited or not
  // revoked; review-reject-net.ts): likewise in the background, as it reads active and rejected
  // requests and their trails; never throws; awaited by the stop.
  const decisions = flows.requests.finishStoredDecisions();
  scheduler.start();
  // Executions whose instance died are taken over once their lease expired (G13 with many
  // instances); a run held by a live instance is skipped by its lease.
  const resumer = setInterval(() => {
    // Never throws; a store outage is logged at the first failure, then at most every few minutes.
    void flows.executor.resumeSweep();
    void flows.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
  }, flows.executor.resumeIntervalMs);
  resumer.unref();
  // The approval policy file: reloaded on SIGHUP and when it changes (G18).
  const reloadPolicy = reloadPolicyOnSighup(flows, log);
  if (deps.takeSighup !== false) process.on('SIGHUP', reloadPolicy);
  if (flows.policies.watching) flows.policies.watch();
  return async () => {
    clearInterval(resumer);
    process.off('SIGHUP', reloadPolicy);
    flows.policies.close();
    await scheduler.stop();
    await Promise.all([lostEnds, decisions, cleanups]);
  };
}
