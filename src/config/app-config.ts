/**
 * The validated configuration loadConfig (config.ts) answers: what every part of the bot reads
 * its settings from, each already checked, defaulted and converted (durations in milliseconds).
 */
import type { Policy } from '../domain/policy';
import type { AnchorTargetSetting } from './anchor-target';
import type { PolicyWarning } from './policy-warnings';
import type { StorageSetting } from './storage-setting';

/** The validated configuration. */
export interface AppConfig {
  /** The approval policy at start: from ACRBOT_POLICY, or the single rule built from the environment. */
  policy: Policy;
  /**
   * The warnings of ACRBOT_POLICY's file as read at start (policy-warnings.ts); absent without a
   * file. Read here before any logger exists, they are logged once one does (composition/flows.ts).
   */
  policyWarnings?: readonly PolicyWarning[];
  /**
   * Settings that do not stop the start but are likely not what the operator meant (an unknown
   * ACRBOT_* name, a NO_PROXY entry that never matches, the bot's own tenant not allowed): one
   * sentence each, naming settings, never their values. Logged at start by the entry point.
   */
  warnings?: readonly string[];
  /** ACRBOT_POLICY: reloaded on SIGHUP and when it changes. */
  policyFile?: string;
  mode: 'sandbox' | 'azure';
  port: number;
  host?: string;
  app: { id?: string; password?: string; type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI'; tenantId?: string };
  subscriptionIds: string[];
  armEndpoint?: string;
  graphEndpoint?: string;
  approverIds: string[];
  approverGroupId?: string;
  auditorIds: string[];
  approvalChannelId?: string;
  auditChannelId?: string;
  allowedTenantIds: string[];
  approvalTtlMs: number;
  approverJustificationRequired: boolean;
  secretMaxExpiryMs: number;
  /** How often the scheduler looks for due jobs (ACRBOT_SWEEP_INTERVAL, default 30 s). */
  sweepIntervalMs: number;
  /**
   * How long an instance holds an execution or a scheduled job before another may take it over
   * (ACRBOT_LEASE_TTL, default 60 s; renewed while the work runs).
   */
  leaseTtlMs: number;
  /** How often acrbot's grants are compared with Azure to notice drift (ACRBOT_DRIFT_INTERVAL, default 15 min). */
  driftIntervalMs: number;
  /** How long granted access lasts (G17). */
  access: AccessDurationSettings;
  storage: StorageSetting;
  /**
   * Key of the audit MACs (ACRBOT_AUDIT_KEY, base64): never in the store. Without it (outside
   * the sandbox, which keeps one in `.data/audit.key`) entries are hash-chained but not keyed.
   */
  auditKey?: Buffer;
  /**
   * ACRBOT_AUDIT_ADOPT_UNSIGNED: the operator vouches for an audit log written without the key,
   * up to this seq (its newest entry), so that the bot signs from there on. Never done unasked:
   * a log whose MACs were stripped looks the same.
   */
  auditAdoptUnsignedUpTo?: number;
  /** Where the signed audit anchors go (ACRBOT_AUDIT_ANCHOR), and how often (ACRBOT_AUDIT_ANCHOR_INTERVAL). */
  auditAnchor?: { target: AnchorTargetSetting; intervalMs: number };
  /** Host of the tab's Application ID URI `api://<domain>/<app id>`; the tab is off in azure mode without it. */
  tabDomain?: string;
  /**
   * The Entra app registration the tab's single sign-on tokens are for (ACRBOT_TAB_APP_ID; the
   * `<app id>` of the Application ID URI), named explicitly like the package's TAB_APP_ID: the
   * bot's own (SingleTenant) or one of its own (UserAssignedMSI: a managed identity cannot expose
   * an API). Sandbox mode uses its own.
   */
  tabAppId?: string;
  /**
   * How long this instance reuses the access matrix it read from Azure for the tab
   * (ACRBOT_TAB_INVENTORY_TTL, default 60 s); revoke, extend and grant outcomes on this instance
   * drop it at once, other instances' changes show after at most this long.
   */
  tabInventoryTtlMs: number;
  /**
   * Per-user abuse limits (G16): pending requests at once, new requests per minute, and read
   * commands (check, policy, access, audit, and the status and pending lists) per fixed ten minutes.
   */
  limits: { maxPendingPerUser: number; requestsPerMinute: number; readsPer10Minutes: number };
  /** How long an unanswered dialog question is kept (ACRBOT_DIALOG_TTL, default 30 min). */
  dialogTtlMs: number;
  /**
   * Whether the secret flow may use clusters whose local accounts are enabled (there the cluster
   * user credential is an admin certificate). ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS.
   */
  allowLocalAccountClusters: boolean;
  /**
   * Test hooks (sandbox mode only): trust a local OpenID metadata document for channel tokens;
   * ask a local Entra authority (the sandbox identity emulator) for the bot's own token.
   */
  channelAuth: { openIdMetadataUrl?: string; tokenIssuer?: string; loginUrl?: string };
  logLevel: string;
}

/** Access durations (ACRBOT_*_ACCESS_DURATION, ACRBOT_ALLOW_PERMANENT, ACRBOT_EXPIRY_REMINDERS). */
export interface AccessDurationSettings {
  defaultMs: number;
  maxMs: number;
  minMs: number;
  allowPermanent: boolean;
  /** How long before expiry the requester is reminded, longest first. */
  remindersMs: number[];
}
