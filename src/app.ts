/**
 * The composition root: builds every piece from config in named steps (`src/composition/`,
 * one file per concern), and returns a running app with a graceful stop. Sandbox mode loads
 * the emulators lazily in its own step; azure mode never loads them.
 *
 * To add a piece: put its construction in the step that owns the concern (a new store in
 * `stores.ts`, a use case in `flows.ts`, a route in `http.ts`, a timer or job in
 * `background.ts`), or add a step file and call it here in order; give its stop to `stop()`.
 */
import type { BotServices } from './bot/bot-services';
import type { AppConfig } from './config/config';
import type { AuditLog, Clock, LeaseStore, RequestStore, ScheduleStore } from './domain/ports';
import type { Sleep } from './flows/assign-role';
import type { Scheduler } from './flows/scheduler';
import { connectAzure } from './composition/azure-access';
import { createAzurePorts } from './composition/azure-ports';
import { reloadPolicyOnSighup, startBackground } from './composition/background';
import { createBot } from './composition/bot';
import { createChannel } from './composition/channel';
import { createFlows } from './composition/flows';
import { type HttpFrontDoor, serveHttp } from './composition/http';
import { startSandboxStep } from './composition/sandbox-step';
import { createScheduler, registerJobs } from './composition/scheduler';
import { publishAnchor } from './flows/audit-anchoring';
import { openAppStores, type Stores } from './composition/stores';
import { instanceOwner } from './composition/instance-owner';
import { createLogger, type Logger } from './observability/logger';
import type { Sandbox } from './sandbox/sandbox';

/** Overrides for tests and benchmarks. */
export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  sleep?: Sleep;
  principalRetryDelaysMs?: number[];
  /** Waits of a `--kind sp` rotation's check that its new credential pulls (pull-check.ts). */
  pullCheckDelaysMs?: number[];
  /** Delays while a new Entra application replicates (service principal create). */
  graphReplicationDelaysMs?: number[];
  /** Use this already running sandbox instead of starting one (restart tests share one). */
  sandbox?: Sandbox;
  /** Replace stores (e.g. a failing audit log in tests); the others are memory stores. */
  stores?: Partial<Stores>;
  /** Replace the schedule and lease stores (restart tests keep them across app instances). */
  coordination?: { schedule: ScheduleStore; leases: LeaseStore };
  /** How often the scheduler sweeps (overrides ACRBOT_SWEEP_INTERVAL); 0 disables the timer (tests call runDue). */
  sweepIntervalMs?: number;
  /** Lease owner id of this instance (default: host name + pid). */
  instanceId?: string;
  /** Backoff of failed jobs (tests shorten it). */
  jobBackoffMs?: number[];
  /** Failures of a job before it is reported to the approvers (default 3). */
  jobReportAfterAttempts?: number;
  /** Longest one Kubernetes API call may take (default KUBE_CALL_TIMEOUT_MS, 30 s; tests shorten it). */
  kubeCallTimeoutMs?: number;
  /**
   * false: the caller owns SIGHUP for the process's whole life and calls
   * {@link RunningApp.reloadPolicy} while the app runs (src/index.ts, so that a SIGHUP during
   * start-up or the stop never meets Node's default, exiting at once). Default true: the app
   * takes SIGHUP from the end of its start until its stop begins (in-process tests).
   */
  takeSighup?: boolean;
}

/** A started acrbot. */
export interface RunningApp {
  url: string;
  port: number;
  /** The config in use (in sandbox mode with the sandbox defaults filled in). */
  config: AppConfig;
  sandbox?: Sandbox;
  services: BotServices;
  /** Persisted background jobs (request expiry, access expiry, reminders). */
  scheduler: Scheduler;
  /** Every store (leases, schedule, dialogs, abuse ledger too). */
  stores: Stores;
  store: RequestStore;
  audit: AuditLog;
  /** What SIGHUP does: reloads the approval policy file (ACRBOT_POLICY), or logs that there is none. */
  reloadPolicy(): void;
  stop(): Promise<void>;
}

const SYSTEM_CLOCK: Clock = { now: () => new Date() };

/** Starts acrbot. */
export async function startApp(givenConfig: AppConfig, options: AppOptions = {}): Promise<RunningApp> {
  const log = options.logger ?? createLogger({ level: givenConfig.logLevel });
  const clock = options.clock ?? SYSTEM_CLOCK;
  if (givenConfig.mode === 'sandbox') {
    // The first line an operator sees says so, at warn level, before anything else happens.
    log.warn(
      { mode: 'sandbox' },
      'SANDBOX mode: emulated Azure, Graph and Kubernetes, no authentication on /api/messages; never use it for real access',
    );
    // Only an address other than loopback reaches beyond this machine.
    if (givenConfig.host && !['127.0.0.1', '::1', 'localhost'].includes(givenConfig.host))
      log.warn(
        { host: givenConfig.host },
        'SANDBOX endpoint bound to HOST: anyone who can reach it can post anonymous activities and sign in to the tab as any sandbox user, approvers included (unset HOST to keep it on 127.0.0.1)',
      );
  }

  // 1. Where Azure is: the emulators (sandbox mode) or the real endpoints.
  const sandboxStep = givenConfig.mode === 'sandbox' ? await startSandboxStep(givenConfig, options.sandbox) : undefined;
  const config = sandboxStep?.config ?? givenConfig;
  const access = sandboxStep?.access ?? connectAzure(config);

  // 2. State, adapters, the way out to Teams, use cases, the bot.
  const stores = await openAppStores(config, clock, options, log);
  const channel = createChannel(config, stores, log, instanceOwner(options), clock, sandboxStep?.access.caPem);
  const scheduler = createScheduler(config, { stores, clock, log, messenger: channel.messenger }, options);
  const azure = createAzurePorts(access, stores, {
    graphReplicationDelaysMs: options.graphReplicationDelaysMs,
    kubeCallTimeoutMs: options.kubeCallTimeoutMs,
    log,
    subscriptionIds: config.subscriptionIds,
  });
  const flows = createFlows(config, { stores, azure, notifier: channel.messenger, scheduler, clock, log }, options);
  registerJobs(
    scheduler,
    flows,
    stores.anchors && stores.auditKey && config.auditAnchor
      ? {
          publish: () => publishAnchor(stores.audit, stores.anchors!, stores.auditKey!, clock),
          intervalMs: config.auditAnchor.intervalMs,
          clock,
        }
      : undefined,
    { stores, intervalMs: config.dialogTtlMs, clock, log },
    log,
  );
  channel.messenger.breakGlassChannel = () => flows.policies.current().breakGlass?.channel;
  channel.messenger.approverIdsOf = (request) => flows.requests.ruleOf(request)?.approvers.users ?? [];
  // The rule that now decides a request (a removed rule's stand-in): where its break-glass cards go.
  channel.messenger.ruleOf = (request) => flows.requests.ruleOf(request);
  // What a reminder's Extend offers by default: no longer than the request's rule allows.
  channel.messenger.extensionTermRange = (request) => flows.requests.extensionTermRange(request);
  // A pending request whose term Approve would refuse now (a reload shortened its rule): its
  // approvers' copy says so whenever it is drawn.
  channel.messenger.approveRefusedForTerm = (request) => flows.requests.approveRefusedForTerm(request);
  const { services, bot } = createBot(config, { flows, stores, channel, clock, log });

  // 3. Listen, then start background work. Once listening, a failing step stops what was
  // started (turns, resumed runs, stores) before the error goes on: the caller exits on it, and
  // a run cut off there would keep its lease until it expired.
  let http: HttpFrontDoor | undefined;
  let stopBackground: (() => Promise<void>) | undefined;
  const stop = async () => {
    // Stop turns and jobs, finish in-flight work, then close the store and the emulators.
    const closing = http?.close(); // refuses new turns at once
    // Without stopBackground (it failed part-way) the scheduler may have started all the same.
    await (stopBackground ? stopBackground() : scheduler.stop());
    await closing;
    await services.background.drain();
    await flows.executor.close();
    // Card updates a decision started without waiting for them (they read the store).
    await channel.drain();
    await stores.close();
    access.agent.destroy();
    await sandboxStep?.stop();
  };
  try {
    http = await serveHttp(config, {
      adapter: channel.adapter,
      bot,
      flows,
      stores,
      access,
      clock,
      log,
      tabSignIn: sandboxStep?.tabSignIn,
    });
    stopBackground = await startBackground({
      flows,
      stores,
      scheduler,
      clock,
      log,
      anchorIntervalMs: config.auditAnchor?.intervalMs,
      allowedTenantIds: config.allowedTenantIds,
      narrowed: { allowPermanent: config.access.allowPermanent, subscriptionIds: config.subscriptionIds },
      takeSighup: options.takeSighup,
    });
    http.started();
  } catch (err) {
    // The start-up error is the one the caller reports; a failure to stop is logged here, once.
    await stop().catch((cause: unknown) => log.error({ err: cause }, 'stopping after a failed start failed'));
    throw err;
  }
  const port = http.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    sandbox: sandboxStep?.sandbox,
    services,
    scheduler,
    stores,
    store: stores.requests,
    audit: stores.audit,
    reloadPolicy: reloadPolicyOnSighup(flows, log),
    stop,
  };
}
