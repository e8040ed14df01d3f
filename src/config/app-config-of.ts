/**
 * The last step of loadConfig (config.ts): the checked settings written as the AppConfig the
 * bot reads, grouped and named by what they are for (durations in milliseconds).
 */
import type { Policy } from '../domain/policy';
import type { AppConfig } from './app-config';
import type { PolicyWarning } from './policy-warnings';
import type { Settings } from './settings-schema';

/** What loadConfig gathered beside the settings themselves. */
export interface GatheredConfig {
  policy: Policy;
  policyWarnings: readonly PolicyWarning[] | undefined;
  warnings: readonly string[];
  /** Whether the settings were judged as sandbox mode's (read-settings.ts). */
  sandbox: boolean;
  subscriptionIds: string[];
  approverIds: string[];
  approvalChannelId: string | undefined;
  allowedTenantIds: string[];
}

/** The AppConfig of settings `e` and what loadConfig gathered beside them. */
export function appConfigOf(e: Settings, gathered: GatheredConfig): AppConfig {
  return {
    policy: gathered.policy,
    policyWarnings: gathered.policyWarnings,
    warnings: gathered.warnings,
    policyFile: e.ACRBOT_POLICY,
    mode: e.ACRBOT_MODE,
    port: e.PORT,
    host: e.HOST,
    app: {
      id: e.MicrosoftAppId,
      password: e.MicrosoftAppPassword,
      type: e.MicrosoftAppType ?? 'MultiTenant',
      tenantId: e.MicrosoftAppTenantId,
    },
    subscriptionIds: gathered.subscriptionIds,
    armEndpoint: e.ACRBOT_ARM_ENDPOINT,
    graphEndpoint: e.ACRBOT_GRAPH_ENDPOINT,
    approverIds: gathered.approverIds,
    approverGroupId: e.ACRBOT_APPROVER_GROUP,
    auditorIds: e.ACRBOT_AUDITORS,
    approvalChannelId: gathered.approvalChannelId,
    auditChannelId: e.ACRBOT_AUDIT_CHANNEL,
    allowedTenantIds: gathered.allowedTenantIds,
    approvalTtlMs: e.ACRBOT_APPROVAL_TTL,
    approverJustificationRequired: e.ACRBOT_APPROVER_JUSTIFICATION === 'required',
    secretMaxExpiryMs: e.ACRBOT_SECRET_MAX_EXPIRY,
    sweepIntervalMs: e.ACRBOT_SWEEP_INTERVAL,
    leaseTtlMs: e.ACRBOT_LEASE_TTL,
    driftIntervalMs: e.ACRBOT_DRIFT_INTERVAL,
    access: {
      defaultMs: e.ACRBOT_DEFAULT_ACCESS_DURATION,
      maxMs: e.ACRBOT_MAX_ACCESS_DURATION,
      minMs: e.ACRBOT_MIN_ACCESS_DURATION,
      allowPermanent: e.ACRBOT_ALLOW_PERMANENT === 'true',
      remindersMs: e.ACRBOT_EXPIRY_REMINDERS,
    },
    storage:
      e.ACRBOT_STORAGE.kind === 'tables' && e.ACRBOT_TABLE_PREFIX
        ? { ...e.ACRBOT_STORAGE, prefix: e.ACRBOT_TABLE_PREFIX }
        : e.ACRBOT_STORAGE,
    auditKey: e.ACRBOT_AUDIT_KEY,
    auditAdoptUnsignedUpTo: e.ACRBOT_AUDIT_ADOPT_UNSIGNED,
    auditAnchor: e.ACRBOT_AUDIT_ANCHOR
      ? { target: e.ACRBOT_AUDIT_ANCHOR, intervalMs: e.ACRBOT_AUDIT_ANCHOR_INTERVAL }
      : undefined,
    tabDomain: e.ACRBOT_TAB_DOMAIN,
    tabAppId: e.ACRBOT_TAB_APP_ID,
    tabInventoryTtlMs: e.ACRBOT_TAB_INVENTORY_TTL,
    channelAuth: {
      openIdMetadataUrl: e.ACRBOT_CHANNEL_OPENID_METADATA_URL,
      tokenIssuer: e.ACRBOT_CHANNEL_TOKEN_ISSUER,
      loginUrl: e.ACRBOT_CHANNEL_LOGIN_URL,
    },
    logLevel: e.LOG_LEVEL,
    limits: {
      maxPendingPerUser: e.ACRBOT_MAX_PENDING_PER_USER,
      requestsPerMinute: e.ACRBOT_REQUESTS_PER_MINUTE,
      readsPer10Minutes: e.ACRBOT_READS_PER_10_MINUTES,
    },
    dialogTtlMs: e.ACRBOT_DIALOG_TTL,
    allowLocalAccountClusters:
      (e.ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS ?? (gathered.sandbox ? 'true' : 'false')) === 'true',
  };
}
