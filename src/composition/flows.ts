/** Step "flows": planners, the request service, runners and the executor, wired to their ports. */
import { PauseWaiters } from '../flows/pause-waiters';
import type { AppConfig } from '../config/config';
import type * as SandboxDefaultsModule from '../sandbox/defaults';
import type { Clock } from '../domain/ports';
import { AccessInventory } from '../flows/access-inventory';
import { cleanupJob, cleanupPending, retryCleanupOf } from '../flows/credential-cleanup';
import { DriftDetector } from '../flows/drift-detector';
import { realSleep, type Sleep } from '../flows/assign-role';
import { Executor } from '../flows/executor';
import { AccessActions, type ExtensionAnnouncer } from '../flows/access-actions';
import { AccessLifecycle } from '../flows/access-lifecycle';
import type { LifecycleMessenger } from '../flows/lifecycle-messenger';
import { ExtensionAwareGrantRunner } from '../flows/extension-runner';
import { ExtensionAwareSecretRunner } from '../flows/secret-extension-runner';
import { GrantPlanner } from '../flows/grant-planner';
import { GrantRunner } from '../flows/grant-runner';
import { ApprovalNudges, type NudgeNotifier } from '../flows/approval-nudges';
import { ApprovalAnnouncements } from '../flows/approval-announce';
import { ApprovalCardPoster, type ApprovalCardMessenger } from '../bot/approval-card-poster';
import { tellReopened } from '../bot/pause-refusal-watch';
import type { CardMessenger } from '../bot/card-messenger';
import { PolicySource } from '../config/policy-source';
import { PolicyReloadAudit } from '../flows/policy-reload-audit';
import { RequestGate } from '../flows/request-gate';
import { RequestService } from '../flows/request-service';
import { AccessPauseService } from '../flows/access-pause';
import { ResourceResolver } from '../flows/resource-resolver';
import { SecretPlanner } from '../flows/secret-planner';
import type { JobRun, Scheduler } from '../flows/scheduler';
import { SecretRunner } from '../flows/secret-runner';
import { DEFAULT_PULL_CHECK_DELAYS_MS } from '../flows/pull-check';
import { DEFAULT_PRINCIPAL_RETRY_DELAYS_MS, type FlowSettings } from '../flows/settings';
import type { RequestNotifier } from '../flows/notifier';
import type { AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';
import type { AzurePorts } from './azure-ports';
import type { Stores } from './stores';
import { instanceOwner } from './instance-owner';

/** The use cases. */
export interface Flows {
  settings: FlowSettings;
  planner: GrantPlanner;
  secretPlanner: SecretPlanner;
  requests: RequestService;
  /** The operators' pause of new access (`pause`, `resume`; read by `requests` before filing or approving). */
  pauses: AccessPauseService;
  executor: Executor;
  inventory: AccessInventory;
  /** Expiry, revoke and extend (G17). */
  lifecycle: AccessLifecycle;
  /** Who may revoke/extend, and extension requests: chat and the tab call these (one rule each). */
  actions: AccessActions;
  /**
   * The per-user limits and redelivery check (G16): chat's new requests pass it, and `actions`
   * passes every extension through it (chat, card, tab), so both count against the same caps.
   */
  gate: RequestGate;
  /** Tells `listener` (synchronously, before the cards are updated) of every request change on this instance. */
  onRequestChanged(listener: (request: AccessRequest) => void): void;
  resolver: ResourceResolver;
  /** The approval policy in force (G18); `reload()` re-reads ACRBOT_POLICY. */
  policies: PolicySource;
  /** Approval reminders, escalation, unreviewed break-glass reports (job handlers). */
  nudges: ApprovalNudges;
  /** The `approval.announce` job: a request's approvers' card its announcement did not post. */
  announcements: ApprovalAnnouncements;
  drift: DriftDetector;
  /** The `cleanup.credential` job: a failed secret run's credential, deleted again (G14). */
  /** `run`: the scheduler's job run, whose lease the clean-up checks before each side effect. */
  cleanups: { retry(requestId: string, run?: JobRun): Promise<void> };
}

/** Overrides of timing for tests and benchmarks. */
export interface FlowOptions {
  sleep?: Sleep;
  principalRetryDelaysMs?: number[];
  /** Waits of a `--kind sp` rotation's pull check (default DEFAULT_PULL_CHECK_DELAYS_MS). */
  pullCheckDelaysMs?: number[];
  /** Lease owner id of this instance (default: host name + pid). */
  instanceId?: string;
}

/** Builds the flows. */
export function createFlows(
  config: AppConfig,
  deps: {
    stores: Stores;
    azure: AzurePorts;
    notifier: NudgeNotifier &
      LifecycleMessenger &
      ExtensionAnnouncer &
      ApprovalCardMessenger &
      Pick<CardMessenger, 'send'> &
      Partial<Pick<CardMessenger, 'approverAccounts'>>;
    scheduler: Scheduler;
    clock: Clock;
    log: Logger;
  },
  options: FlowOptions,
): Flows {
  const { stores, azure, notifier, scheduler, clock, log } = deps;
  // Every request change on this instance passes here on its way to the cards, so listeners
  // (the tab's cached matrix) hear about decisions, grants, revocations, extensions and drift.
  const changeListeners: Array<(request: AccessRequest) => void> = [];
  const cards: RequestNotifier = {
    requestChanged: async (request, change) => {
      for (const listener of changeListeners) listener(request);
      return notifier.requestChanged(request, change);
    },
  };
  const settings: FlowSettings = {
    approvalTtlMs: config.approvalTtlMs,
    approverIds: config.approverIds,
    approverGroupId: config.approverGroupId,
    auditorIds: config.auditorIds,
    approverJustificationRequired: config.approverJustificationRequired,
    principalRetryDelaysMs: options.principalRetryDelaysMs ?? DEFAULT_PRINCIPAL_RETRY_DELAYS_MS,
    sandbox: config.mode === 'sandbox',
    subscriptionIds: config.subscriptionIds,
    ownTenantId: ownTenantOf(config),
    access: config.access,
  };
  const sleep = options.sleep ?? realSleep;
  /** This instance, as the owner of the leases it takes. */
  const owner = instanceOwner(options);
  /** Where runs look for a revocation of the access they rely on (access-lease.ts). */
  const accessLeases = { store: stores.leases };
  const resolver = new ResourceResolver(azure.reader, config.subscriptionIds, () => clock.now());
  const planner = new GrantPlanner(resolver, azure.roleAssignments, azure.directory, log);
  const secretPlanner = new SecretPlanner(
    resolver,
    azure.roleAssignments,
    clock,
    config.secretMaxExpiryMs,
    stores.requests,
    // The runner's own Kubernetes port: the plan checks the namespace as the run will (a hint);
    // and its token port: the plan counts the registry's tokens against its SKU's limits.
    {
      allowLocalAccountClusters: config.allowLocalAccountClusters,
      log,
      pullSecrets: azure.secrets.kubernetes,
      tokens: azure.secrets.tokens,
    },
  );
  // ACRBOT_POLICY is reloaded on SIGHUP and when the file changes (the background step); a new
  // file with problems is reported and the last good policy stays. Both are audited, once across
  // the instances that reload the same file (policy-reload-audit.ts).
  // The owed reviews are read at a reload only (after `requests` below is built): the entry names
  // those the new policy leaves to nobody.
  const reloads = new PolicyReloadAudit(stores.audit, clock, log, config.allowedTenantIds[0] ?? '', config.policy, () =>
    requests.awaitingReview(),
  );
  const policies: PolicySource = new PolicySource(
    { policy: config.policy, warnings: config.policyWarnings ?? [] },
    config.policyFile,
    (result) => {
      if (!result.ok)
        log.error(
          { err: result.error },
          'approval policy not reloaded: the file has problems or is still changing; the previous policy stays',
        );
      else if (result.changed) log.info({ policyHash: result.policy.hash }, 'approval policy reloaded');
      // Called after the source took (or refused) the file, so its refusal is this one's.
      void reloads.record(result, result.ok ? undefined : policies.refusal()?.reason);
    },
    // A reloaded file's reminders are checked against the TTL in force, and its terms against
    // the access limits in force, as at start.
    {
      limits: {
        approvalTtlMs: config.approvalTtlMs,
        minAccessMs: config.access.minMs,
        maxAccessMs: config.access.maxMs,
      },
      // What loads but may not be meant (an auto-approving rule on cluster facts alone): said at
      // start and when a reload takes a new file, never again for the same file.
      warn: (w, file) =>
        log.warn({ policyFile: file, policyRule: w.ruleId, line: w.line, col: w.col }, `approval policy: ${w.message}`),
    },
  );
  const requests = new RequestService(
    stores.requests,
    stores.audit,
    azure.directory,
    clock,
    settings,
    cards,
    log,
    scheduler,
    policies,
    stores.pause,
  );
  // Approver questions asked outside the request service (of the nudges' named approvers, of the
  // account of whoever pauses or resumes new access) go to its own instance: a new request's named
  // approvers are mentioned beside its card by display name, those whose accounts are disabled left
  // out, from the read the request service kept of them when the request was made
  // (approver-groups-cache.ts; bot/approver-mention-posts.ts), not a second Graph read.
  const approverAuthority = requests.approvers;
  notifier.approverAccounts = approverAuthority;
  const pauses = new AccessPauseService(
    stores.pause,
    stores.audit,
    clock,
    (actor) => requests.isApprover(actor),
    log,
    (event) => requests.recordRefusal(event),
    (actor, click) => approverAuthority.accountStandingNow(actor, undefined, click),
    // Those refused in chat while paused, told where they were refused once it is lifted, by a
    // card the messenger posts (any instance's scheduler may run the job).
    new PauseWaiters(stores.schedule, stores.pause, clock, log, tellReopened(notifier, settings.sandbox)),
  );
  // A reminder or escalation due while new access is paused waits for the resume (Approve is refused).
  // A nudge of a request whose Approve the term rule refuses now says so (same policy and limits).
  // Before each nudge its named approvers' accounts are read (one disabled since is not mentioned),
  // and a break-glass grant of a tenant no longer served is reported once more, then not while that lasts.
  const nudges = new ApprovalNudges(
    stores.requests,
    stores.audit,
    clock,
    notifier,
    scheduler,
    stores.pause,
    { policies, limits: settings.access, servedSubscriptionIds: config.subscriptionIds },
    {
      servedTenantIds: config.allowedTenantIds,
      approvers: approverAuthority,
      log,
    },
  );
  const announcements = new ApprovalAnnouncements(
    stores.requests,
    stores.audit,
    clock,
    new ApprovalCardPoster(notifier, stores.requests, config.approvalChannelId, log),
    () => policies.current().breakGlass?.channel,
    log,
    scheduler,
  );
  const grantRunner = new GrantRunner(
    azure.reader,
    azure.roleAssignments,
    planner,
    settings.principalRetryDelaysMs,
    sleep,
    accessLeases,
    config.subscriptionIds,
  );
  const secretRunner = new SecretRunner(
    azure.secrets,
    { delaysMs: settings.principalRetryDelaysMs, sleep },
    {
      reader: azure.reader,
      allowLocalAccountClusters: config.allowLocalAccountClusters,
      // A secret approved before its subscription was taken out is refused before any write.
      servedSubscriptionIds: config.subscriptionIds,
    },
    () => clock.now(),
    azure.pullProbe && {
      probe: azure.pullProbe,
      delaysMs: options.pullCheckDelaysMs ?? DEFAULT_PULL_CHECK_DELAYS_MS,
      sleep,
    },
  );
  const lifecycle = new AccessLifecycle(
    stores.requests,
    stores.audit,
    clock,
    scheduler,
    azure.secrets,
    cards,
    notifier,
    log,
    {
      remindersMs: config.access.remindersMs,
      // A pending extension's wait cut to an end another extension moved is cut again (moved-end-waits.ts).
      approvalTtlMs: config.approvalTtlMs,
      leases: { store: stores.leases, owner },
      secretMaxExpiryMs: config.secretMaxExpiryMs,
      // A reminder sent while new access is paused offers no Extend (it would be refused).
      pauses: stores.pause,
      // ...nor one to a requester of a tenant no longer served (their turns are refused).
      servedTenantIds: config.allowedTenantIds,
      // ...nor one to a requester of another tenant than acrbot's own (their requests are refused).
      ownTenantId: settings.ownTenantId,
      // ...nor one of access in a subscription no longer served (its extension is refused).
      servedSubscriptionIds: config.subscriptionIds,
      // An end says what else still lets the cluster pull (outside-pull.ts).
      pullReads: azure.roleAssignments,
      // ...judged in the registry's mode as read then, as `check` judges it.
      registryReads: azure.reader,
    },
  );
  // A break-glass grant rejected in review is revoked at once by the lifecycle (G17, G18).
  requests.useRevocation((request, by, reason, options) => lifecycle.revokeSoon(request, by, reason, options));
  // Before the executor: an extension's run reads its original's assignment as the sweep does.
  const drift = new DriftDetector(
    {
      requests: stores.requests,
      audit: stores.audit,
      roleAssignments: azure.roleAssignments,
      resources: azure.reader,
      schedule: stores.schedule,
      clock,
    },
    cards,
    log,
    config.driftIntervalMs,
  );
  const executor = new Executor(
    stores.requests,
    stores.audit,
    clock,
    {
      grant: new ExtensionAwareGrantRunner(grantRunner, stores.requests, accessLeases, drift),
      secret: new ExtensionAwareSecretRunner(secretRunner, stores.requests, accessLeases),
    },
    {
      // Cards first, then the lifecycle schedules the end of the access (G17). The run does not
      // wait for the cards of "executing": they queue per conversation, and if the final state
      // arrives while they still wait, it takes their place (CardOutbox) instead of following.
      requestChanged: async (request, change) => {
        // A mark within the state (a run waiting): the cards say so; the end stays where it is.
        if (change?.markOnly) return cards.requestChanged(request, change);
        // A credential the failed run could not delete is tried again soon, not at the next start:
        // its job is stored whatever the cards and the lifecycle do, and their failure still thrown.
        let told: { failed: false } | { failed: true; err: unknown } = { failed: false };
        /** The cards' answer ('noConversation': the requester had nowhere to be told), for the told entry. */
        let answer: 'noConversation' | void = undefined;
        try {
          if (request.state === 'executing')
            void cards
              .requestChanged(request)
              .catch((err: unknown) => log.warn({ err, requestId: request.id }, 'card update failed'));
          else answer = await cards.requestChanged(request);
          await lifecycle.requestChanged(request);
        } catch (err) {
          told = { failed: true, err };
        }
        if (cleanupPending(request))
          await scheduler.schedule(cleanupJob(request.id, clock)).catch((err: unknown) => {
            if (!told.failed) throw err;
            // Only one error can be thrown: the cards' or lifecycle's is; this one is logged.
            log.error(
              { err, requestId: request.id },
              "the credential clean-up job could not be stored; the next start's sweep stores it",
            );
          });
        if (told.failed) throw told.err;
        return answer;
      },
    },
    log,
    {
      leases: stores.leases,
      owner,
      ttlMs: config.leaseTtlMs,
    },
    // The job is named by the entry's idempotency key: one job per entry, and its id is the key
    // the scheduler's handler falls back on for jobs stored before events carried one.
    (event) =>
      scheduler.schedule({
        id: `audit.retry:${event.idempotencyKey}`,
        kind: 'audit.retry',
        dueAt: clock.now(),
        requestId: event.requestId,
        payload: { event },
      }),
    stores.pause,
  );
  const gate = new RequestGate(stores.abuse, stores.requests, clock, config.limits);
  const actions = new AccessActions(
    requests,
    lifecycle,
    stores.audit,
    { announcer: notifier, execute: (requestId) => executor.schedule(requestId) },
    {
      leases: stores.leases,
      owner,
      ttlMs: config.leaseTtlMs,
      log,
    },
    azure.reader,
    { gate },
    clock,
    // An extension of a grant looks again for the clusters pulling with its identity.
    planner,
    // Another tenant's request revoked or extended: "not found", audited once per window.
    { gate, log },
    config.subscriptionIds,
  );
  const inventory = new AccessInventory(
    {
      azure: azure.reader,
      roleAssignments: azure.roleAssignments,
      directory: azure.directory,
      requests: stores.requests,
      clock,
      log,
      // `check` looks for the pull secrets the records name, read-only (secrets-in-cluster.ts).
      kubernetes: azure.secrets.kubernetes,
    },
    resolver,
    config.subscriptionIds,
  );
  return {
    settings,
    planner,
    secretPlanner,
    requests,
    pauses,
    executor,
    inventory,
    drift,
    policies,
    nudges,
    announcements,
    lifecycle,
    actions,
    gate,
    resolver,
    onRequestChanged: (listener) => void changeListeners.push(listener),
    cleanups: {
      retry: (requestId, run) =>
        retryCleanupOf(requestId, {
          store: stores.requests,
          audit: stores.audit,
          ports: azure.secrets,
          clock,
          log,
          reschedule: (job) => scheduler.schedule(job),
          outcomeChanged: async (request) => void (await cards.requestChanged(request, { markOnly: true })),
          checkLease: run && (() => run.check()),
        }),
    },
  };
}

/**
 * acrbot's own tenant, whose directory holds its approvers and whose Azure it writes to
 * (FlowSettings.ownTenantId): MicrosoftAppTenantId, which azure mode requires; in sandbox mode
 * the sandbox's (its Graph emulator's directory, and the allowed tenant by default), loaded only
 * then, whatever MicrosoftAppTenantId says: its approvers are the emulator's people.
 */
export function ownTenantOf(config: AppConfig): string | undefined {
  if (config.mode !== 'sandbox') return config.app.tenantId;
  const { SANDBOX_DEFAULTS } = require('../sandbox/defaults') as typeof SandboxDefaultsModule;
  return SANDBOX_DEFAULTS.tenantId;
}
