/**
 * The composition root: builds every piece from config, starts the sandbox emulators when
 * needed, and returns a running app with a graceful stop.
 */
import type { TokenCredential } from '@azure/core-auth';
import type * as Identity from '@azure/identity';
import { ConversationState, MemoryStorage } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { AcrBot } from './bot/acr-bot';
import type { BotServices } from './bot/bot-services';
import { CardMessenger } from './bot/card-messenger';
import { createAdapter } from './bot/create-adapter';
import type { AppConfig } from './config/config';
import type { AuditLog, Clock, LeaseStore, RequestStore, ScheduleStore } from './domain/ports';
import { Executor } from './flows/executor';
import { GrantPlanner } from './flows/grant-planner';
import { realSleep, type Sleep } from './flows/assign-role';
import { GrantRunner } from './flows/grant-runner';
import { RequestService } from './flows/request-service';
import { Scheduler } from './flows/scheduler';
import { AccessLifecycle } from './flows/access-lifecycle';
import { ExtensionAwareGrantRunner } from './flows/extension-runner';
import { ResourceResolver } from './flows/resource-resolver';
import { retryPendingCleanups } from './flows/credential-cleanup';
import { SecretPlanner } from './flows/secret-planner';
import { SecretRunner, type SecretRunnerPorts } from './flows/secret-runner';
import { ArmRegistryTokens } from './integrations/azure/arm-registry-tokens';
import { GraphServicePrincipals } from './integrations/graph/graph-service-principals';
import { KubePullSecrets } from './integrations/kubernetes/kube-pull-secrets';
import { DEFAULT_PRINCIPAL_RETRY_DELAYS_MS } from './flows/settings';
import { createServer } from './http/server';
import { type ArmConnection, staticTokenCredential } from './integrations/azure/arm-connection';
import { ArmRoleAssignments } from './integrations/azure/arm-role-assignments';
import { ArmResourceReader } from './integrations/azure/azure-resource-reader';
import { GraphClient } from './integrations/graph/graph-client';
import { GraphDirectory } from './integrations/graph/graph-directory';
import { MemoryAuditLog, MemoryRequestStore } from './integrations/store/memory-stores';
import { MemoryLeaseStore, MemoryScheduleStore } from './integrations/store/memory-coordination';
import { openSqlite } from './integrations/store/sqlite-database';
import { SqliteAuditLog } from './integrations/store/sqlite-audit-log';
import { SqliteRequestStore } from './integrations/store/sqlite-request-store';
import { withCorrelation } from './observability/correlation';
import { createLogger, type Logger } from './observability/logger';
import { SANDBOX_BEARER_TOKEN, SANDBOX_USERS } from './sandbox/fixtures';
import { SANDBOX_TAB_CLIENT_ID } from './sandbox/identity/oidc-issuer';
import { mountTab } from './tab/mount-tab';
import { type Sandbox, startSandbox } from './sandbox/sandbox';

/** Overrides for tests and benchmarks. */
export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  sleep?: Sleep;
  principalRetryDelaysMs?: number[];
  /** Delays while a new Entra application replicates (service principal create). */
  graphReplicationDelaysMs?: number[];
  /** Use this already running sandbox instead of starting one (restart tests share one). */
  sandbox?: Sandbox;
  /** Replace the stores (e.g. a failing audit log in tests). */
  stores?: { requests: RequestStore; audit: AuditLog };
  /** Replace the schedule and lease stores (restart tests keep them across app instances). */
  coordination?: { schedule: ScheduleStore; leases: LeaseStore };
  /** How often the scheduler sweeps (overrides ACRBOT_SWEEP_INTERVAL); 0 disables the timer (tests call runDue). */
  sweepIntervalMs?: number;
  /** Backoff of failed jobs (tests shorten it). */
  jobBackoffMs?: number[];
  /** Failures of a job before it is reported to the approvers (default 3). */
  jobReportAfterAttempts?: number;
  /** Lease owner id of this instance (default: host name + pid). */
  instanceId?: string;
}

/** A started acrbot. */
export interface RunningApp {
  url: string;
  port: number;
  config: AppConfig;
  sandbox?: Sandbox;
  services: BotServices;
  /** Persisted background jobs (request expiry, access expiry, reminders). */
  scheduler: Scheduler;
  /** The schedule and lease stores (tests and restarts share them). */
  coordination: { schedule: ScheduleStore; leases: LeaseStore };
  store: RequestStore;
  audit: AuditLog;
  stop(): Promise<void>;
}

const SYSTEM_CLOCK: Clock = { now: () => new Date() };

/** How long one instance holds a scheduled job before another may take it over (renewed while it runs). */
const SCHEDULER_LEASE_TTL_MS = 60_000;

function openStores(config: AppConfig, clock: Clock): { requests: RequestStore; audit: AuditLog } {
  if (config.storage.kind === 'memory') return { requests: new MemoryRequestStore(), audit: new MemoryAuditLog(clock) };
  const db = openSqlite(config.storage.path);
  return { requests: new SqliteRequestStore(db), audit: new SqliteAuditLog(db, clock) };
}

/** Starts acrbot. */
export async function startApp(config: AppConfig, options: AppOptions = {}): Promise<RunningApp> {
  const log = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? SYSTEM_CLOCK;
  const sandboxMode = config.mode === 'sandbox';
  const ownSandbox = sandboxMode && !config.armEndpoint && !options.sandbox ? await startSandbox() : undefined;
  const sandbox = options.sandbox ?? ownSandbox;

  let credential: TokenCredential;
  let arm: ArmConnection;
  let graphEndpoint: string;
  let caPem: string | undefined;
  if (sandboxMode) {
    credential = staticTokenCredential(SANDBOX_BEARER_TOKEN);
    // Own emulators: trust their CA for these clients only. External ones: NODE_EXTRA_CA_CERTS.
    caPem = config.armEndpoint ? undefined : sandbox?.tls.caPem;
    arm = { endpoint: config.armEndpoint ?? sandbox!.armUrl, credential, caPem };
    graphEndpoint = config.graphEndpoint ?? sandbox!.graphUrl;
  } else {
    // Loaded only in azure mode (it is not needed against the sandbox and costs start-up time).
    const { DefaultAzureCredential } = require('@azure/identity') as typeof Identity;
    credential = new DefaultAzureCredential();
    arm = { endpoint: config.armEndpoint ?? 'https://management.azure.com', credential };
    graphEndpoint = config.graphEndpoint ?? 'https://graph.microsoft.com';
  }

  const stores = options.stores ?? openStores(config, clock);
  const coordination = options.coordination ?? {
    schedule: new MemoryScheduleStore(),
    leases: new MemoryLeaseStore(() => clock.now()),
  };
  const reader = new ArmResourceReader(arm);
  const roleAssignments = new ArmRoleAssignments(arm);
  const graph = new GraphClient({ endpoint: graphEndpoint, credential, caPem });
  const directory = new GraphDirectory(graph);
  const resolver = new ResourceResolver(reader, config.subscriptionIds);
  const planner = new GrantPlanner(resolver, roleAssignments, directory);
  const secretPlanner = new SecretPlanner(resolver, roleAssignments, clock, config.secretMaxExpiryMs, stores.requests);
  const secretPorts: SecretRunnerPorts = {
    tokens: new ArmRegistryTokens((s) => reader.acrClient(s)),
    servicePrincipals: new GraphServicePrincipals(graph, options.graphReplicationDelaysMs),
    roleAssignments,
    kubernetes: new KubePullSecrets((s) => reader.aksClient(s), credential),
    requests: stores.requests,
  };

  const adapter = createAdapter(config, log);
  const messenger = new CardMessenger(
    adapter,
    config.app.id ?? '',
    stores.requests,
    log,
    config.auditChannelId ? { log: stores.audit, channelId: config.auditChannelId } : undefined,
    { approvalChannelId: config.approvalChannelId, defaultAccessMs: config.access.defaultMs },
  );
  const scheduler = new Scheduler(coordination.schedule, coordination.leases, clock, log, {
    instanceId: options.instanceId ?? `${hostname()}:${process.pid}`,
    sweepIntervalMs: options.sweepIntervalMs ?? config.sweepIntervalMs,
    leaseTtlMs: SCHEDULER_LEASE_TTL_MS,
    backoffMs: options.jobBackoffMs,
    // A job that keeps failing (a revocation Azure refuses) is reported to the approvers (G17).
    reportAfterAttempts: options.jobReportAfterAttempts ?? 3,
    reporter: async (job, err) => {
      const request = job.requestId ? await stores.requests.get(job.requestId) : undefined;
      const what = job.kind === 'access.expire' ? 'Revoking the access' : `The background job ${job.kind}`;
      await messenger.reportToApprovers(
        request,
        `${what} has failed ${job.attempts} times (last error: ${job.lastError ?? (err as Error).message}). acrbot keeps retrying; next attempt at ${job.dueAt.slice(0, 16).replace('T', ' ')} UTC.`,
      );
    },
  });
  const settings = {
    approvalTtlMs: config.approvalTtlMs,
    approverIds: config.approverIds,
    approverGroupId: config.approverGroupId,
    auditorIds: config.auditorIds,
    approverJustificationRequired: config.approverJustificationRequired,
    principalRetryDelaysMs: options.principalRetryDelaysMs ?? DEFAULT_PRINCIPAL_RETRY_DELAYS_MS,
    sandbox: sandboxMode,
    access: config.access,
  };
  const requests = new RequestService(stores.requests, stores.audit, directory, clock, settings, messenger, scheduler);
  scheduler.register('request.expire', async (job) => {
    if (job.requestId) await requests.expireIfDue(job.requestId);
  });
  const grantRunner = new GrantRunner(
    reader,
    roleAssignments,
    planner,
    settings.principalRetryDelaysMs,
    options.sleep ?? realSleep,
  );
  const secretRunner = new SecretRunner(secretPorts, {
    delaysMs: settings.principalRetryDelaysMs,
    sleep: options.sleep ?? realSleep,
  });
  const lifecycle = new AccessLifecycle(
    stores.requests,
    stores.audit,
    clock,
    scheduler,
    secretPorts,
    messenger,
    messenger,
    log,
    { remindersMs: config.access.remindersMs },
  );
  scheduler.register('access.expire', (job) => lifecycle.onExpire(job));
  scheduler.register('access.remind', (job) => lifecycle.onReminder(job));
  const executor = new Executor(
    stores.requests,
    stores.audit,
    clock,
    { grant: new ExtensionAwareGrantRunner(grantRunner, stores.requests), secret: secretRunner },
    {
      // Cards first, then the lifecycle schedules the end of the access (G17).
      requestChanged: async (request) => {
        await messenger.requestChanged(request);
        await lifecycle.requestChanged(request);
      },
    },
    log,
  );

  const services: BotServices = {
    settings: {
      sandbox: sandboxMode,
      allowedTenantIds: config.allowedTenantIds,
      approvalChannelId: config.approvalChannelId,
      auditChannelId: config.auditChannelId,
    },
    planner,
    secretPlanner,
    requests,
    executor,
    audit: stores.audit,
    messenger,
    log,
    lifecycle: { flow: lifecycle, resolver, defaultAccessMs: config.access.defaultMs },
  };
  const bot = new AcrBot(services, new ConversationState(new MemoryStorage()));

  let accepting = true;
  const server = createServer({
    log,
    processActivity: async (req, res) => {
      if (!accepting) {
        res.send(503, { error: 'shutting down' });
        return;
      }
      // The Teams activity id (or a new id) correlates every log line of this turn.
      const activityId =
        typeof (req.body as { id?: unknown } | undefined)?.id === 'string'
          ? String((req.body as { id: string }).id).slice(0, 100)
          : undefined;
      await withCorrelation(
        () => adapter.process(req, res, (ctx) => bot.run(ctx)),
        activityId ? `turn-${activityId}` : undefined,
      );
    },
    checkReady: async () => {
      await stores.requests.ping();
      const token = await credential.getToken(`${arm.endpoint}/.default`);
      if (!token) throw new Error('no Azure token');
    },
  });
  mountTab(server, {
    mode: config.mode,
    appId: config.app.id,
    domain: config.tabDomain,
    allowedTenantIds: config.allowedTenantIds,
    auditorIds: config.auditorIds,
    isApprover: (actor) => requests.isApprover(actor),
    store: stores.requests,
    audit: stores.audit,
    clock,
    log,
    sandbox: sandbox && {
      issuer: sandbox.identity.issuer,
      jwksUri: sandbox.identity.jwksUri,
      tokenEndpoint: sandbox.identity.tokenEndpoint,
      caPem: sandbox.tls.caPem,
      clientId: SANDBOX_TAB_CLIENT_ID,
      users: Object.entries(SANDBOX_USERS).map(([key, u]) => ({ key, name: u.name })),
    },
  });
  await new Promise<void>((resolve) =>
    server.listen(config.port, config.host ?? (sandboxMode ? '127.0.0.1' : '0.0.0.0'), resolve),
  );
  const port = (server.address() as AddressInfo).port;

  const resumed = await executor.resumeInterrupted();
  if (resumed) log.info({ resumed }, 'resuming interrupted executions');
  void retryPendingCleanups(stores.requests, stores.audit, secretPorts, clock, log).catch((err) =>
    log.warn({ err: { message: (err as Error).message } }, 'credential clean-up retry failed'),
  );
  // Pending requests stored before the schedule existed get their expiry job (idempotent).
  await requests.scheduleExpiryForPending();
  scheduler.start();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    sandbox,
    services,
    scheduler,
    coordination,
    store: stores.requests,
    audit: stores.audit,
    stop: async () => {
      // Stop accepting turns, finish in-flight work, then close the store.
      accepting = false;
      await scheduler.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open until they time out.
      server.server.closeIdleConnections();
      await closed;
      await executor.drain();
      await stores.requests.close();
      if (ownSandbox) await ownSandbox.stop();
    },
  };
}
