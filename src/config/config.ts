/**
 * Configuration from the environment (and `.env`), validated once at start with zod. Every
 * problem is listed; nothing here is ever printed unredacted.
 */
import { isIP } from 'node:net';
import { z } from 'zod/v3';
import { monthWrittenAsMinutes } from '../domain/access-term';
import type { Policy } from '../domain/policy';
import { AUDIT_KEY_MIN_BYTES, auditKeyFromText } from './audit-key';
import {
  MAX_ACCESS_DURATION_MS,
  MAX_APPROVAL_TTL_MS,
  MIN_ACCESS_DURATION_MS,
  MIN_APPROVAL_TTL_MS,
  parseDurationMs,
} from './duration';
import {
  CONVERSATION_ID,
  conversationIdFromLinkHint,
  PolicyFileError,
  type PolicyLimits,
  policyFromEnvironment,
  readPolicyFile,
} from './policy-file';
import type { PolicyWarning } from './policy-warnings';
import { readProxyEnvironment } from '../integrations/http/outbound-proxy';
import { checkOpenIdMetadataUrl, checkServiceEndpoint, checkTokenIssuer, type UrlCheck } from './url-settings';
import { readSettingValue } from './setting-value';
import { unknownSettingWarnings } from './unknown-settings';
import { isGuid } from '../domain/identifiers';

/**
 * ACRBOT_READS_PER_10_MINUTES when unset. A person at the keyboard runs a few read commands a
 * minute at most, and 30 lets a burst of investigation through. It bounds what one user (or a
 * script with their token) costs acrbot's own ARM principal, whose read bucket every user shares
 * (250 reads, refilled 25 a second, per subscription and principal): 30 commands at once, a
 * handful of reads each, stay under the bucket; 180 an hour are a few percent of its refill.
 */
const DEFAULT_READS_PER_10_MINUTES = 30;

/** A DNS host name (letters, digits and hyphens per label), as listen() resolves it. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The non-empty, trimmed items of a comma-separated setting. */
function commaItems(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A GUID list; one listed twice (GUIDs are compared without regard to case) counts once. */
const guidList = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const items = commaItems(v ?? '');
      for (const item of items)
        if (!isGuid(item))
          ctx.addIssue({
            code: 'custom',
            message: `${name}: "${item.slice(0, 40)}" is not a GUID (Entra object ids, tenant ids and subscription ids are GUIDs)`,
          });
      return uniqueIgnoringCase(items);
    });

const duration = (name: string, fallback: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ms = parseDurationMs(v ?? fallback);
      if (ms === undefined) {
        // A capital M (`1M`, a month to most) is told why, in the words chat and the policy file use.
        const month = monthWrittenAsMinutes(v ?? '');
        ctx.addIssue({
          code: 'custom',
          message: month ? `${name}: ${month}` : `${name}: "${v}" is not a duration; use e.g. 24h, 90m or 7d`,
        });
        return 0;
      }
      return ms;
    });

/** A URL setting checked by `check` (url-settings.ts); the problem is listed under the setting's name. */
const urlSetting = (name: string, check: (text: string) => UrlCheck) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const checked = check(v);
      if ('problem' in checked) {
        ctx.addIssue({ code: 'custom', message: `${name} ${checked.problem}` });
        return undefined;
      }
      return checked.url;
    });

/**
 * A Teams channel id as the Bot Framework names it; a value copied out of a channel link (URL
 * encoded, `19%3a…`, or decoded with the rest of the link after it) is named as such, since cards
 * sent there would otherwise fail at the first request.
 */
const channelId = (name: string) =>
  z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined || CONVERSATION_ID.test(v)) return;
      const fromLink = conversationIdFromLinkHint(v);
      ctx.addIssue({ code: 'custom', message: `${name} must be a Teams channel id (19:…@thread.tacv2)${fromLink}` });
    });

const schema = z.object({
  ACRBOT_MODE: z.enum(['sandbox', 'azure'], { message: 'ACRBOT_MODE must be "sandbox" or "azure"' }).default('sandbox'),
  // Digits only: Number(' ') is 0 (a random port) and Number('0x50') is 80.
  PORT: z.preprocess(
    (v) => (typeof v === 'string' && !/^\s*\d+\s*$/.test(v) ? Number.NaN : v),
    z.coerce
      .number({ message: 'PORT must be a whole number from 0 to 65535' })
      .int('PORT must be a whole number from 0 to 65535')
      .min(0, 'PORT must be a whole number from 0 to 65535')
      .max(65535, 'PORT must be a whole number from 0 to 65535')
      .default(3978),
  ),
  // Handed to listen() as it is: a URL or host:port would fail there, after the settings were accepted.
  HOST: z
    .string()
    .optional()
    .refine((v) => !v || isIP(v) !== 0 || HOST_NAME.test(v), {
      message: 'HOST must be an IP address or a host name to listen on, e.g. 0.0.0.0 (no scheme, port or brackets)',
    }),
  MicrosoftAppId: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), { message: "MicrosoftAppId must be the bot's app (client) id, a GUID" }),
  // App Service passes a Key Vault reference it could not resolve through as its text: that
  // would be sent to Entra as the client secret, and every reply would fail to sign in.
  MicrosoftAppPassword: z
    .string()
    .optional()
    .refine((v) => !v || !/^@Microsoft\.KeyVault\(/i.test(v.trim()), {
      message:
        "MicrosoftAppPassword is a Key Vault reference that App Service could not resolve: check that the secret exists in the vault and that the app's identity has Key Vault Secrets User on it, then restart the app",
    }),
  MicrosoftAppType: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      message: 'MicrosoftAppType must be SingleTenant or UserAssignedMSI (MultiTenant only in sandbox mode)',
    })
    .optional(),
  MicrosoftAppTenantId: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), { message: 'MicrosoftAppTenantId must be a GUID' }),
  // Read by the Azure SDK (DefaultAzureCredential), which would fail only at the first Azure call.
  AZURE_CLIENT_ID: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), {
      message: "AZURE_CLIENT_ID must be the managed identity's client id, a GUID",
    }),
  AZURE_SUBSCRIPTION_ID: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), { message: 'AZURE_SUBSCRIPTION_ID must be a GUID' }),
  ACRBOT_SUBSCRIPTION_IDS: guidList('ACRBOT_SUBSCRIPTION_IDS'),
  ACRBOT_ARM_ENDPOINT: urlSetting('ACRBOT_ARM_ENDPOINT', (v) =>
    checkServiceEndpoint(v, 'none', 'https://management.usgovcloudapi.net'),
  ),
  ACRBOT_GRAPH_ENDPOINT: urlSetting('ACRBOT_GRAPH_ENDPOINT', (v) =>
    checkServiceEndpoint(v, 'prefix', 'https://graph.microsoft.us'),
  ),
  ACRBOT_APPROVERS: guidList('ACRBOT_APPROVERS'),
  ACRBOT_APPROVER_GROUP: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), { message: "ACRBOT_APPROVER_GROUP must be the group's object id (a GUID)" }),
  ACRBOT_AUDITORS: guidList('ACRBOT_AUDITORS'),
  ACRBOT_APPROVAL_CHANNEL: channelId('ACRBOT_APPROVAL_CHANNEL'),
  ACRBOT_POLICY: z.string().optional(),
  ACRBOT_AUDIT_CHANNEL: channelId('ACRBOT_AUDIT_CHANNEL'),
  ACRBOT_ALLOWED_TENANTS: guidList('ACRBOT_ALLOWED_TENANTS'),
  ACRBOT_APPROVAL_TTL: duration('ACRBOT_APPROVAL_TTL', '24h'),
  ACRBOT_APPROVER_JUSTIFICATION: z
    .enum(['required', 'optional'], { message: 'ACRBOT_APPROVER_JUSTIFICATION must be "required" or "optional"' })
    .default('optional'),
  ACRBOT_SECRET_MAX_EXPIRY: duration('ACRBOT_SECRET_MAX_EXPIRY', '365d'),
  ACRBOT_SWEEP_INTERVAL: duration('ACRBOT_SWEEP_INTERVAL', '30s'),
  ACRBOT_LEASE_TTL: duration('ACRBOT_LEASE_TTL', '60s'),
  ACRBOT_DRIFT_INTERVAL: duration('ACRBOT_DRIFT_INTERVAL', '15m'),
  ACRBOT_DEFAULT_ACCESS_DURATION: duration('ACRBOT_DEFAULT_ACCESS_DURATION', '30d'),
  ACRBOT_MAX_ACCESS_DURATION: duration('ACRBOT_MAX_ACCESS_DURATION', '90d'),
  ACRBOT_MIN_ACCESS_DURATION: duration('ACRBOT_MIN_ACCESS_DURATION', '1h'),
  ACRBOT_ALLOW_PERMANENT: z
    .enum(['true', 'false'], { message: 'ACRBOT_ALLOW_PERMANENT must be "true" or "false"' })
    .default('false'),
  ACRBOT_EXPIRY_REMINDERS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const all = commaItems(v ?? '7d,1d');
      // "none" beside a duration is one or the other: neither is taken for the operator.
      if (all.includes('none') && all.length > 1)
        ctx.addIssue({
          code: 'custom',
          message: 'ACRBOT_EXPIRY_REMINDERS: "none" means no reminders and cannot be combined with durations',
        });
      const items = all.filter((s) => s !== 'none');
      const ms: number[] = [];
      for (const item of items) {
        const d = parseDurationMs(item);
        if (d === undefined)
          ctx.addIssue({
            code: 'custom',
            message: `ACRBOT_EXPIRY_REMINDERS: "${item.slice(0, 20)}" is not a duration; use e.g. 7d,1d (or none)`,
          });
        // No term or credential lasts longer than a year, so such a reminder would never be
        // sent; and one like 99999999999999999999d is past anything a date can be moved by.
        else if (d > MAX_ACCESS_DURATION_MS)
          ctx.addIssue({
            code: 'custom',
            message: `ACRBOT_EXPIRY_REMINDERS: ${item.length > 30 ? `${item.slice(0, 30)}…` : item} before the end is longer than any access or credential lasts (at most 1y), so it would never be sent`,
          });
        else ms.push(d);
      }
      return [...new Set(ms)].sort((a, b) => b - a);
    }),
  // The default is the sandbox's (a developer's checkout): loadConfig refuses it unset in azure mode.
  ACRBOT_STORAGE: z
    .string()
    .default('sqlite:./data/acrbot.db')
    .transform((v, ctx) => {
      const parsed = parseStorage(v);
      // The message never repeats the value: a connection string carries the account key.
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `ACRBOT_STORAGE: ${parsed}` });
      return typeof parsed === 'string' ? { kind: 'memory' as const } : parsed;
    }),
  // Digits only: Number() reads 1e3 as 1000 and 0x10 as 16, vouching for entries nobody checked.
  ACRBOT_AUDIT_ADOPT_UNSIGNED: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const seq = wholeNumber(v);
      if (seq === undefined || seq < 1) {
        ctx.addIssue({
          code: 'custom',
          message: 'ACRBOT_AUDIT_ADOPT_UNSIGNED must be the seq of the newest audit entry (a whole number)',
        });
        return undefined;
      }
      return seq;
    }),
  ACRBOT_AUDIT_KEY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      // App Service passes a Key Vault reference it could not resolve through as text: the secret
      // is missing (it is created once by an operator) or the identity may not read it.
      if (/^@Microsoft\.KeyVault\(/i.test(v.trim())) {
        ctx.addIssue({
          code: 'custom',
          message:
            'ACRBOT_AUDIT_KEY is a Key Vault reference that App Service could not resolve: create the secret acrbot-audit-key in the vault (docs/deploy.md, "The audit key"), check that the bot identity has Key Vault Secrets User on the vault, then restart the app',
        });
        return undefined;
      }
      const key = auditKeyFromText(v);
      // The message never repeats the value: it is the key that makes the audit tamper-evident.
      if (!key)
        ctx.addIssue({
          code: 'custom',
          message: `ACRBOT_AUDIT_KEY must be at least ${AUDIT_KEY_MIN_BYTES} random bytes, base64-encoded (e.g. openssl rand -base64 32)`,
        });
      return key;
    }),
  ACRBOT_AUDIT_ANCHOR: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const parsed = parseAnchorTarget(v);
      // Never repeats the value: a connection string carries the account key.
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `ACRBOT_AUDIT_ANCHOR: ${parsed}` });
      return typeof parsed === 'string' ? undefined : parsed;
    }),
  ACRBOT_AUDIT_ANCHOR_INTERVAL: duration('ACRBOT_AUDIT_ANCHOR_INTERVAL', '1h'),
  ACRBOT_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/, {
      message: 'ACRBOT_TABLE_PREFIX must start with a letter and hold only letters and digits (at most 40)',
    })
    .optional(),
  ACRBOT_CHANNEL_OPENID_METADATA_URL: urlSetting('ACRBOT_CHANNEL_OPENID_METADATA_URL', checkOpenIdMetadataUrl),
  ACRBOT_CHANNEL_TOKEN_ISSUER: urlSetting('ACRBOT_CHANNEL_TOKEN_ISSUER', checkTokenIssuer),
  // MSAL takes only an https authority.
  ACRBOT_CHANNEL_LOGIN_URL: z
    .string()
    .regex(/^https:\/\/[^/?#]+\/[^?#]+$/, { message: 'ACRBOT_CHANNEL_LOGIN_URL must be https://<host>/<tenant>' })
    .optional(),
  ACRBOT_TAB_DOMAIN: z
    .string()
    .optional()
    .refine(
      (v) => !v || /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(v),
      {
        message:
          'ACRBOT_TAB_DOMAIN must be the lowercase host the tab is served from (no scheme, port or path), as in api://<domain>/<app id>',
      },
    ),
  ACRBOT_TAB_APP_ID: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), {
      message: "ACRBOT_TAB_APP_ID must be the (client) id of the tab's Entra app registration, a GUID",
    }),
  ACRBOT_TAB_INVENTORY_TTL: duration('ACRBOT_TAB_INVENTORY_TTL', '60s'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  ACRBOT_MAX_PENDING_PER_USER: positiveInt('ACRBOT_MAX_PENDING_PER_USER', 5),
  ACRBOT_REQUESTS_PER_MINUTE: positiveInt('ACRBOT_REQUESTS_PER_MINUTE', 10),
  ACRBOT_READS_PER_10_MINUTES: positiveInt('ACRBOT_READS_PER_10_MINUTES', DEFAULT_READS_PER_10_MINUTES),
  ACRBOT_DIALOG_TTL: duration('ACRBOT_DIALOG_TTL', '30m'),
  ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION: z
    .enum(['true', 'false'], { message: 'ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION must be "true" or "false"' })
    .default('false'),
  ACRBOT_ALLOW_EPHEMERAL_STORAGE: z
    .enum(['true', 'false'], { message: 'ACRBOT_ALLOW_EPHEMERAL_STORAGE must be "true" or "false"' })
    .default('false'),
  /** Unset: false in azure mode; true in sandbox mode, whose demo cluster aks-dev has local accounts. */
  ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: z
    .enum(['true', 'false'], { message: 'ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS must be "true" or "false"' })
    .optional(),
  // Compared exactly, here as by Node libraries: "Production" would quietly not be production (G1).
  NODE_ENV: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === 'production' || v.toLowerCase() !== 'production', {
      message: 'NODE_ENV must be written "production" in lower case (it is compared exactly)',
    }),
});

/** The names of the settings acrbot reads (its own schema), whose values are checked for quotes. */
const SETTINGS = new Set(Object.keys(schema.shape));

/** The number `text` spells in decimal digits only (no sign, point, exponent or 0x), if a safe one. */
function wholeNumber(text: string): number | undefined {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A whole number ≥ 1 with a default. */
function positiveInt(name: string, fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      // Digits only: Number() reads 1e3 as 1000 and 0x10 as 16.
      const n = wholeNumber(v);
      if (n === undefined || n < 1 || n > 100_000) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from 1 to 100000` });
        return fallback;
      }
      return n;
    });
}

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

/**
 * Where the bot keeps its state. `tables` holds either a connection string (a secret: never
 * print this object) or an account URL reached with DefaultAzureCredential (no key).
 */
export type StorageSetting =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'tables';
      connection: { kind: 'connectionString'; value: string } | { kind: 'identity'; endpoint: string };
      /** Table name prefix (ACRBOT_TABLE_PREFIX, default `acrbot`). */
      prefix?: string;
    };

/**
 * Whether `storage` lives in process memory (memory, or SQLite's `:memory:`), losing every request,
 * scheduled end and audit entry at a restart: refused in azure mode without
 * ACRBOT_ALLOW_EPHEMERAL_STORAGE, and warned about at every start with it.
 */
export function isEphemeralStorage(storage: StorageSetting): boolean {
  return storage.kind === 'memory' || (storage.kind === 'sqlite' && storage.path === ':memory:');
}

/** Where audit anchors are appended: a container URL (managed identity) or a connection string with `Container=<name>`. */
export type AnchorTargetSetting =
  { kind: 'identity'; containerUrl: string } | { kind: 'connectionString'; value: string; container: string };

/** The URL, or undefined when `text` is not one. */
function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** Parses ACRBOT_AUDIT_ANCHOR; a string is the problem (never containing the value). */
export function parseAnchorTarget(value: string): AnchorTargetSetting | string {
  const v = value.trim();
  if (/^https:\/\//i.test(v)) {
    const url = parseUrl(v);
    if (!url) return 'is not a valid URL';
    if (url.search || url.username || !/^\/[a-z0-9-]{3,63}\/?$/.test(url.pathname))
      return 'takes https://<account>.blob.core.windows.net/<container> (no SAS, no blob path)';
    return { kind: 'identity', containerUrl: `${url.origin}${url.pathname.replace(/\/$/, '')}` };
  }
  const parts = v.split(';').filter(Boolean);
  const field = (name: string) =>
    parts
      .find((p) => p.toLowerCase().startsWith(`${name}=`))
      ?.slice(name.length + 1)
      .trim();
  const container = field('container');
  const rest = parts.filter((p) => !/^container=/i.test(p)).join(';');
  const endpoint = field('blobendpoint');
  if (
    !container ||
    !/^[a-z0-9-]{3,63}$/.test(container) ||
    !(field('accountkey') || field('sharedaccesssignature')) ||
    // The SDK reads a connection string with a Container field only through its BlobEndpoint.
    !endpoint
  )
    return 'takes https://<account>.blob.core.windows.net/<container>, or a connection string with BlobEndpoint and Container=<name> (local emulator)';
  // Plain http would send the signed requests (a SAS in clear) unencrypted: only to a local emulator.
  if (!/^https:\/\//i.test(endpoint) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(endpoint))
    return 'BlobEndpoint must be https:// (plain http only for a local emulator on 127.0.0.1)';
  return { kind: 'connectionString', value: `${rest};`, container };
}

/**
 * What @azure/data-tables would refuse in a connection string (utils/connectionString.js), so
 * the start check refuses it, by name, instead of the first store opening. The SDK reads a string
 * as an account key connection string only when it has both DefaultEndpointsProtocol and
 * AccountKey; anything else as a SAS one, which needs TableEndpoint (the account name read from
 * it) and SharedAccessSignature. `fields` are the string's fields, names in lower case.
 */
function tablesConnectionStringProblem(fields: ReadonlyMap<string, string>): string | undefined {
  const endpoint = fields.get('tableendpoint');
  if (fields.has('defaultendpointsprotocol') && fields.has('accountkey')) {
    if (!fields.get('accountname')) return 'the connection string has no AccountName';
    if (!fields.get('accountkey')) return 'the connection string has an empty AccountKey';
    if (!endpoint && !fields.get('endpointsuffix'))
      return 'the connection string needs TableEndpoint=https://… or EndpointSuffix=core.windows.net';
    return undefined;
  }
  if (fields.get('accountkey') && !fields.get('sharedaccesssignature'))
    return "a connection string with AccountKey needs DefaultEndpointsProtocol=https (without it the Azure SDK reads it as a SAS connection string and refuses it): copy the whole connection string from the storage account's Access keys";
  if (!endpoint || !fields.get('sharedaccesssignature'))
    return 'a connection string with SharedAccessSignature needs TableEndpoint=https://<account>.table.core.windows.net';
  const url = parseUrl(endpoint);
  const host = url?.hostname.split('.') ?? [];
  if (!url || !(host[1] === 'table' ? host[0] : url.pathname.split('/')[1]))
    return "TableEndpoint must be the account's table endpoint, https://<account>.table.core.windows.net";
  return undefined;
}

/** Parses ACRBOT_STORAGE; a string is the problem (never containing the value). */
export function parseStorage(value: string): StorageSetting | string {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) {
    // Trimmed as every value is (`sqlite: /var/lib/…`): a leading space would make a folder named
    // " " and hide `:memory:` from the ephemeral-storage check.
    const path = value.slice('sqlite:'.length).trim();
    return path ? { kind: 'sqlite', path } : 'sqlite: needs a path';
  }
  if (value.startsWith('tables:')) {
    const rest = value.slice('tables:'.length).trim();
    if (/^https:\/\//i.test(rest)) {
      const url = parseUrl(rest);
      if (!url) return 'tables:https://… is not a valid URL';
      if (url.username || url.password || url.search || (url.pathname !== '/' && url.pathname !== ''))
        return 'tables:https://<account>.table.core.windows.net takes the account URL only (no key, SAS or path; the bot signs in with its managed identity)';
      return { kind: 'tables', connection: { kind: 'identity', endpoint: url.origin } };
    }
    if (/^http:\/\//i.test(rest))
      return 'tables: needs an https:// account URL (or a connection string for the local emulator)';
    const fields = new Map(
      rest
        .split(';')
        .filter(Boolean)
        .map((part) => {
          const i = part.indexOf('=');
          return [part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).trim()] as const;
        }),
    );
    if (!fields.get('accountname') && !fields.get('tableendpoint') && !fields.has('usedevelopmentstorage'))
      return 'tables: expects a connection string (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net, as the portal gives it) or https://<account>.table.core.windows.net';
    if (!fields.get('accountkey') && !fields.get('sharedaccesssignature') && !fields.has('usedevelopmentstorage'))
      return 'tables: the connection string has no AccountKey or SharedAccessSignature (without a key, use tables:https://<account>.table.core.windows.net and a managed identity)';
    const endpoint = fields.get('tableendpoint');
    if (endpoint && /^http:\/\//i.test(endpoint) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(endpoint))
      return 'tables: TableEndpoint must be https:// (plain http only for a local emulator on 127.0.0.1)';
    // Without TableEndpoint the SDK builds <protocol>://<account>.table.<suffix>, never loopback:
    // plain http there would send the signed requests and every entity unencrypted.
    const protocol = fields.get('defaultendpointsprotocol');
    if (!endpoint && protocol !== undefined && protocol.toLowerCase() !== 'https')
      return 'tables: DefaultEndpointsProtocol must be https (plain http only for a local emulator, with TableEndpoint=http://127.0.0.1:…)';
    const sdkProblem = fields.has('usedevelopmentstorage') ? undefined : tablesConnectionStringProblem(fields);
    if (sdkProblem) return `tables: ${sdkProblem}`;
    return { kind: 'tables', connection: { kind: 'connectionString', value: rest } };
  }
  return 'must be "memory", "sqlite:<path>", "tables:<connection string>" or "tables:https://<account>.table.core.windows.net"';
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

/** Configuration problems, all of them, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`acrbot cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The items without repeats, compared without regard to case (GUIDs); the first spelling stays. */
function uniqueIgnoringCase(items: readonly string[]): string[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = item.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The access durations out of their bounds (1m to 1y) or out of order, and the minimum and
 * maximum a policy file's terms are held to. A duration that failed to parse or is out of bounds
 * is not compared (its default stood in for it, which the operator never set; or its own problem
 * is listed, and a default compared with `99999999999999999999d` would be blamed for it): the
 * default is then held to the bound instead. The policy gets neither limit while they contradict.
 */
function accessDurationProblems(
  e: Record<'ACRBOT_MIN_ACCESS_DURATION' | 'ACRBOT_MAX_ACCESS_DURATION' | 'ACRBOT_DEFAULT_ACCESS_DURATION', number>,
  parsedOk: (...names: string[]) => boolean,
): { problems: string[]; limits: Pick<PolicyLimits, 'minAccessMs' | 'maxAccessMs'> } {
  const problems: string[] = [];
  const { ACRBOT_MIN_ACCESS_DURATION: minMs, ACRBOT_MAX_ACCESS_DURATION: maxMs } = e;
  if (minMs < MIN_ACCESS_DURATION_MS) problems.push('ACRBOT_MIN_ACCESS_DURATION can be no less than 1m');
  if (minMs > MAX_ACCESS_DURATION_MS)
    problems.push('ACRBOT_MIN_ACCESS_DURATION can be at most 1y (no access lasts longer: ACRBOT_MAX_ACCESS_DURATION)');
  if (maxMs > MAX_ACCESS_DURATION_MS)
    problems.push('ACRBOT_MAX_ACCESS_DURATION can be at most 1y (use ACRBOT_ALLOW_PERMANENT for access without end)');
  const min =
    parsedOk('ACRBOT_MIN_ACCESS_DURATION') && minMs >= MIN_ACCESS_DURATION_MS && minMs <= MAX_ACCESS_DURATION_MS
      ? minMs
      : undefined;
  const max = parsedOk('ACRBOT_MAX_ACCESS_DURATION') && maxMs <= MAX_ACCESS_DURATION_MS ? maxMs : undefined;
  if (min !== undefined && max !== undefined && min > max) {
    problems.push('ACRBOT_MIN_ACCESS_DURATION is longer than ACRBOT_MAX_ACCESS_DURATION');
    return { problems, limits: {} };
  }
  const fallback = e.ACRBOT_DEFAULT_ACCESS_DURATION;
  if (
    parsedOk('ACRBOT_DEFAULT_ACCESS_DURATION') &&
    (fallback < (min ?? MIN_ACCESS_DURATION_MS) || fallback > (max ?? MAX_ACCESS_DURATION_MS))
  )
    problems.push(
      'ACRBOT_DEFAULT_ACCESS_DURATION must lie between ACRBOT_MIN_ACCESS_DURATION and ACRBOT_MAX_ACCESS_DURATION',
    );
  return { problems, limits: { minAccessMs: min, maxAccessMs: max } };
}

/**
 * Settings that build the environment's single rule and that a policy file replaces: with
 * ACRBOT_POLICY nothing reads them (the file's rules name the approvers), so an operator who
 * set them would believe in approvers or a justification rule that do not apply.
 */
function unusedWithPolicy(env: Record<string, string | undefined>): string[] {
  const set = ['ACRBOT_APPROVERS', 'ACRBOT_APPROVER_GROUP', 'ACRBOT_APPROVER_JUSTIFICATION'].filter(
    (name) => env[name] !== undefined,
  );
  if (set.length === 0) return [];
  const names = set.length === 1 ? set[0] : `${set.slice(0, -1).join(', ')} and ${set[set.length - 1]}`;
  const [verb, them] = set.length === 1 ? ['is', 'it'] : ['are', 'them'];
  return [
    `${names} ${verb} not used when ACRBOT_POLICY is set: the policy file decides who approves and whether approvals need a justification. ` +
      `Move ${them} into the file (a rule's approvers.users and approvers.groups, approverJustification: required) and unset ${them}`,
  ];
}

/**
 * ACRBOT_TABLE_PREFIX beside a store that has no tables: it would do nothing, and whoever set it
 * believes the bot keeps its data in Azure Tables (or in tables of that name) when it does not.
 * Names the store's kind, never the value of ACRBOT_STORAGE.
 */
function unusedTablePrefix(
  storage: StorageSetting,
  prefix: string | undefined,
  env: Record<string, string | undefined>,
): string[] {
  if (prefix === undefined || storage.kind === 'tables') return [];
  const store =
    storage.kind === 'memory'
      ? 'memory'
      : storage.path === ':memory:'
        ? 'SQLite in memory'
        : env.ACRBOT_STORAGE === undefined
          ? 'a SQLite file (the default: ACRBOT_STORAGE is not set)'
          : 'a SQLite file';
  return [
    `ACRBOT_TABLE_PREFIX applies only to ACRBOT_STORAGE=tables:…, and the store here is ${store}: ` +
      'remove ACRBOT_TABLE_PREFIX, or set ACRBOT_STORAGE=tables:… if the store was meant to be Azure Tables',
  ];
}

/**
 * ACRBOT_ALLOWED_TENANTS that leaves out the bot's own tenant (MicrosoftAppTenantId): the people
 * of the tenant the bot is registered in, its approvers usually among them, are refused every
 * message and tab call. A warning, not a problem: a bot serving only other tenants may mean it.
 */
function ownTenantLeftOut(allowed: readonly string[], ownTenant: string | undefined): string[] {
  if (!ownTenant || allowed.some((id) => id.toLowerCase() === ownTenant.toLowerCase())) return [];
  return [
    "ACRBOT_ALLOWED_TENANTS leaves out MicrosoftAppTenantId, the bot's own tenant: its people's messages and tab calls are refused (tab: 403 tenant_not_allowed). Add it to the list unless that is meant",
  ];
}

/**
 * Sandbox mode with one of ACRBOT_ARM_ENDPOINT and ACRBOT_GRAPH_ENDPOINT but not the other. The
 * sandbox's ARM and Graph emulators are one world (the same identities, one CA), started together
 * or not at all: an external ARM emulator beside the bot's own Graph emulator would answer for
 * two different worlds, and the clients trust either the own emulators' CA or NODE_EXTRA_CA_CERTS,
 * not both. Read from the cleaned environment, so a malformed endpoint does not hide this too.
 */
function halfExternalSandbox(env: Record<string, string | undefined>): string[] {
  const arm = env.ACRBOT_ARM_ENDPOINT !== undefined;
  const graph = env.ACRBOT_GRAPH_ENDPOINT !== undefined;
  if (arm === graph) return [];
  const [set, unset] = arm
    ? ['ACRBOT_ARM_ENDPOINT', 'ACRBOT_GRAPH_ENDPOINT']
    : ['ACRBOT_GRAPH_ENDPOINT', 'ACRBOT_ARM_ENDPOINT'];
  return [
    `${set} is set without ${unset}: in sandbox mode the ARM and Graph emulators run together, so set both ` +
      '(external emulators, their CA in NODE_EXTRA_CA_CERTS) or neither (acrbot starts its own)',
  ];
}

/**
 * The environment as the settings are read from it: every value trimmed (blank is unset), and
 * acrbot's own settings read by {@link readSettingValue}, which names quotes around them as a
 * problem. Other variables keep their quotes: they are not acrbot's to judge.
 */
function cleanEnvironment(env: Record<string, string | undefined>): {
  cleaned: Record<string, string | undefined>;
  quoted: string[];
} {
  const cleaned: Record<string, string | undefined> = {};
  const quoted: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!SETTINGS.has(name)) {
      cleaned[name] = value?.trim() || undefined;
      continue;
    }
    const setting = readSettingValue(name, value);
    if (setting.quotedProblem) quoted.push(setting.quotedProblem);
    cleaned[name] = setting.value;
  }
  return { cleaned, quoted };
}

/** Reads and validates config from `env`; throws {@link ConfigError} listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const { cleaned, quoted } = cleanEnvironment(env);
  // A production process never falls back to the sandbox: without ACRBOT_MODE it is azure mode (G1).
  const modeFromNodeEnv = cleaned.ACRBOT_MODE === undefined && cleaned.NODE_ENV === 'production';
  if (modeFromNodeEnv) cleaned.ACRBOT_MODE = 'azure';
  const parsed = schema.safeParse(cleaned);
  const problems = [
    ...quoted,
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) =>
          i.path.length && !i.message.startsWith(String(i.path[0])) ? `${String(i.path[0])}: ${i.message}` : i.message,
        )),
  ];
  // Mode rules run even when some value was malformed, so every problem is listed at once.
  const e = parsed.success
    ? parsed.data
    : (schema.safeParse({
        ...cleaned,
        ...Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), undefined])),
      }).data as z.infer<typeof schema> | undefined);
  if (!e) throw new ConfigError(problems);
  // A setting that failed to parse was replaced by its default above: checks across settings
  // skip it, or they would blame the default (ACRBOT_MODE=Azure is not "sandbox with production").
  const failed = new Set(parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0])));
  const parsedOk = (...names: string[]) => names.every((name) => !failed.has(name));
  // A mode that failed to parse fell back to the sandbox default above; one that reads as azure
  // (any case), or any mode under NODE_ENV=production, is checked as azure so its problems are
  // listed now, not after the mode is fixed.
  const sandbox = parsedOk('ACRBOT_MODE')
    ? (e.ACRBOT_MODE ?? 'sandbox') === 'sandbox'
    : cleaned.ACRBOT_MODE?.trim().toLowerCase() !== 'azure' && cleaned.NODE_ENV !== 'production';
  const subscriptionIds = uniqueIgnoringCase([
    ...(e.AZURE_SUBSCRIPTION_ID ? [e.AZURE_SUBSCRIPTION_ID] : []),
    ...e.ACRBOT_SUBSCRIPTION_IDS,
  ]);
  const approverIds = e.ACRBOT_APPROVERS;
  let allowedTenantIds = e.ACRBOT_ALLOWED_TENANTS;
  const approvalChannelId = e.ACRBOT_APPROVAL_CHANNEL;
  // Sandbox mode works with no settings at all: the composition root fills the sandbox's own
  // subscriptions, approver, tenant and channel in with applySandboxDefaults.
  if (!sandbox) {
    if (!e.MicrosoftAppId && parsedOk('MicrosoftAppId'))
      problems.push('MicrosoftAppId is required in azure mode (no anonymous access outside the sandbox)');
    if (!e.MicrosoftAppType && parsedOk('MicrosoftAppType'))
      problems.push('MicrosoftAppType is required in azure mode: SingleTenant or UserAssignedMSI');
    // Azure Bot Service no longer creates multi-tenant bots; the botbuilder setting stays for the sandbox.
    if (e.MicrosoftAppType === 'MultiTenant')
      problems.push(
        'MicrosoftAppType=MultiTenant is not offered in azure mode: Azure Bot Service no longer creates multi-tenant bots. Use SingleTenant (with MicrosoftAppPassword) or UserAssignedMSI',
      );
    if (
      (e.MicrosoftAppType === 'SingleTenant' || e.MicrosoftAppType === 'UserAssignedMSI') &&
      !e.MicrosoftAppTenantId &&
      parsedOk('MicrosoftAppTenantId')
    )
      problems.push(`MicrosoftAppTenantId is required when MicrosoftAppType is ${e.MicrosoftAppType}`);
    if (e.MicrosoftAppType === 'SingleTenant' && !e.MicrosoftAppPassword && parsedOk('MicrosoftAppPassword'))
      problems.push(
        'MicrosoftAppPassword is required when MicrosoftAppType is SingleTenant (or use UserAssignedMSI, which needs none)',
      );
    // Either one alone leaves the tab off: the operator who set it meant the tab, so say so at
    // start rather than in an info line (the template sets both or neither).
    if (e.ACRBOT_TAB_APP_ID && !e.ACRBOT_TAB_DOMAIN && parsedOk('ACRBOT_TAB_DOMAIN'))
      problems.push(
        'ACRBOT_TAB_APP_ID needs ACRBOT_TAB_DOMAIN: the lowercase host the tab is served from, as in its registration\'s Application ID URI api://<domain>/<app id> (the app package\'s BOT_DOMAIN; docs/deploy.md, "The tab"). Without it the tab is not offered; unset ACRBOT_TAB_APP_ID to go without the tab',
      );
    if (e.ACRBOT_TAB_DOMAIN && !e.ACRBOT_TAB_APP_ID && parsedOk('ACRBOT_TAB_APP_ID'))
      problems.push(
        e.MicrosoftAppType === 'UserAssignedMSI'
          ? 'ACRBOT_TAB_DOMAIN needs ACRBOT_TAB_APP_ID when MicrosoftAppType is UserAssignedMSI: a managed identity cannot expose the tab\'s API, so its sign-on needs an app registration of its own (docs/deploy.md, "The tab")'
          : "ACRBOT_TAB_DOMAIN needs ACRBOT_TAB_APP_ID: the app registration the tab's sign-on tokens are for (MicrosoftAppId when the bot's own registration exposes the tab's API; docs/deploy.md, \"The tab\"), the same as the app package's TAB_APP_ID",
      );
    if (subscriptionIds.length === 0 && !problems.some((p) => p.includes('SUBSCRIPTION')))
      problems.push('AZURE_SUBSCRIPTION_ID or ACRBOT_SUBSCRIPTION_IDS is required in azure mode');
    if (
      approverIds.length === 0 &&
      !e.ACRBOT_APPROVER_GROUP &&
      !e.ACRBOT_POLICY &&
      parsedOk('ACRBOT_APPROVERS', 'ACRBOT_APPROVER_GROUP')
    )
      problems.push(
        'ACRBOT_APPROVERS or ACRBOT_APPROVER_GROUP is required in azure mode: someone must be able to approve',
      );
    if (allowedTenantIds.length === 0) {
      if (e.MicrosoftAppTenantId) allowedTenantIds = [e.MicrosoftAppTenantId];
      else if (parsedOk('ACRBOT_ALLOWED_TENANTS', 'MicrosoftAppTenantId'))
        problems.push('ACRBOT_ALLOWED_TENANTS is required in azure mode');
    }
  }
  // The schema's default (a SQLite file in ./data) suits a developer's checkout: in a container
  // it is lost with the container, and several instances would keep one store each. Azure mode
  // names its store.
  const storageUnset = cleaned.ACRBOT_STORAGE === undefined;
  if (!sandbox && storageUnset)
    problems.push(
      'ACRBOT_STORAGE is required in azure mode: tables:https://<account>.table.core.windows.net (Azure Tables with the managed identity, as infra/main.bicep sets it), or sqlite:<path> on a persistent volume for a single instance. Unset, acrbot would keep the audit trail, pending requests and the scheduled ends of access in ./data/acrbot.db inside the container, lost when it is replaced',
    );
  // A store in process memory loses, at every restart, the audit trail (G11), pending requests and
  // executions (G13) and every scheduled end of access, so what acrbot granted is never revoked
  // (G17). Tests and benchmarks of azure mode say so explicitly.
  const ephemeral = isEphemeralStorage(e.ACRBOT_STORAGE);
  if (!sandbox && ephemeral && e.ACRBOT_ALLOW_EPHEMERAL_STORAGE !== 'true')
    problems.push(
      'ACRBOT_STORAGE keeps everything in process memory: in azure mode every restart would lose the audit trail, pending requests and the scheduled ends of access. Use sqlite:<file> or tables:…, or set ACRBOT_ALLOW_EPHEMERAL_STORAGE=true for a test',
    );
  // An unset store in azure mode is named above; the prefix is judged once the store is named.
  if (parsedOk('ACRBOT_STORAGE') && (sandbox || !storageUnset))
    problems.push(...unusedTablePrefix(e.ACRBOT_STORAGE, e.ACRBOT_TABLE_PREFIX, cleaned));
  if (sandbox) problems.push(...halfExternalSandbox(cleaned));
  if (!sandbox && (e.ACRBOT_CHANNEL_OPENID_METADATA_URL || e.ACRBOT_CHANNEL_TOKEN_ISSUER || e.ACRBOT_CHANNEL_LOGIN_URL))
    problems.push(
      'ACRBOT_CHANNEL_OPENID_METADATA_URL, ACRBOT_CHANNEL_TOKEN_ISSUER and ACRBOT_CHANNEL_LOGIN_URL are test hooks and only allowed with ACRBOT_MODE=sandbox',
    );
  if (e.ACRBOT_APPROVAL_TTL < MIN_APPROVAL_TTL_MS)
    problems.push(
      'ACRBOT_APPROVAL_TTL can be no less than 5m (requests would expire before an approver could see them; a bare number is seconds)',
    );
  if (e.ACRBOT_APPROVAL_TTL > MAX_APPROVAL_TTL_MS)
    problems.push('ACRBOT_APPROVAL_TTL can be at most 24h (requests must not wait longer for a decision)');
  // The shortest sweep, 1s, is the shortest duration there is (0s is not one): tests sweep that often.
  if (e.ACRBOT_SWEEP_INTERVAL > 3_600_000)
    problems.push('ACRBOT_SWEEP_INTERVAL can be at most 1h (expiries and reminders would run late)');
  if (e.ACRBOT_AUDIT_ANCHOR_INTERVAL < 60_000 || e.ACRBOT_AUDIT_ANCHOR_INTERVAL > 86_400_000)
    problems.push('ACRBOT_AUDIT_ANCHOR_INTERVAL must lie between 1m and 24h');
  if (e.ACRBOT_AUDIT_ANCHOR && !e.ACRBOT_AUDIT_KEY && !sandbox && parsedOk('ACRBOT_AUDIT_KEY'))
    problems.push('ACRBOT_AUDIT_ANCHOR needs ACRBOT_AUDIT_KEY (anchors are signed with it)');
  // The sandbox generates a key only for a persistent store (.data/audit.key): with memory storage
  // there is none, and anchors would silently never be published.
  if (
    e.ACRBOT_AUDIT_ANCHOR &&
    !e.ACRBOT_AUDIT_KEY &&
    sandbox &&
    e.ACRBOT_STORAGE.kind === 'memory' &&
    parsedOk('ACRBOT_AUDIT_KEY', 'ACRBOT_STORAGE')
  )
    problems.push(
      'ACRBOT_AUDIT_ANCHOR needs ACRBOT_AUDIT_KEY with ACRBOT_STORAGE=memory (anchors are signed with it; the sandbox generates one only for sqlite:<file> or tables:…)',
    );
  // The store adopts an unsigned log only to sign it from there on: without a key there is nothing
  // to sign with, and the operator who vouched for the log would believe it now signed. The
  // sandbox makes its own key (.data/audit.key).
  if (e.ACRBOT_AUDIT_ADOPT_UNSIGNED !== undefined && !e.ACRBOT_AUDIT_KEY && !sandbox && parsedOk('ACRBOT_AUDIT_KEY'))
    problems.push(
      'ACRBOT_AUDIT_ADOPT_UNSIGNED needs ACRBOT_AUDIT_KEY: it adopts an audit log written without the key so that entries are signed from there on, and without a key nothing is signed. Set the key, or unset ACRBOT_AUDIT_ADOPT_UNSIGNED',
    );
  if (e.ACRBOT_LEASE_TTL < 2_000 || e.ACRBOT_LEASE_TTL > 600_000)
    problems.push('ACRBOT_LEASE_TTL must lie between 2s and 10m (renewed every third of it while work runs)');
  if (e.ACRBOT_TAB_INVENTORY_TTL < 1_000 || e.ACRBOT_TAB_INVENTORY_TTL > 600_000)
    problems.push(
      'ACRBOT_TAB_INVENTORY_TTL must lie between 1s and 10m (how long the tab reuses the matrix read from Azure)',
    );
  if (e.ACRBOT_DRIFT_INTERVAL < 60_000 || e.ACRBOT_DRIFT_INTERVAL > 24 * 3_600_000)
    problems.push('ACRBOT_DRIFT_INTERVAL must be between 1m and 24h (each run lists role assignments per identity)');
  const access = accessDurationProblems(e, parsedOk);
  problems.push(...access.problems);
  // At least the shortest --expires (1h, secret-options.ts): below it every --expires would be
  // refused, and the credentials capped to it would die before anyone could pull with them.
  if (
    parsedOk('ACRBOT_SECRET_MAX_EXPIRY') &&
    (e.ACRBOT_SECRET_MAX_EXPIRY < 3_600_000 || e.ACRBOT_SECRET_MAX_EXPIRY > 365 * 86_400_000)
  )
    problems.push(
      'ACRBOT_SECRET_MAX_EXPIRY must lie between 1h and 365d (the longest lifetime of a credential in the secret flow; the shortest --expires is 1h)',
    );
  if (e.ACRBOT_DIALOG_TTL < 60_000 || e.ACRBOT_DIALOG_TTL > 24 * 3_600_000)
    problems.push('ACRBOT_DIALOG_TTL must lie between 1m and 24h');
  // A sandbox answers anyone without authentication and fakes Azure: never by accident in production.
  if (
    sandbox &&
    e.NODE_ENV === 'production' &&
    e.ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION !== 'true' &&
    parsedOk('ACRBOT_MODE', 'ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION')
  )
    problems.push(
      'ACRBOT_MODE=sandbox with NODE_ENV=production: the sandbox accepts unauthenticated calls and talks to emulators, not Azure. Use ACRBOT_MODE=azure, or set ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION=true if this really is a demo',
    );
  const environmentPolicy = policyFromEnvironment({
    approverIds,
    approverGroupId: e.ACRBOT_APPROVER_GROUP,
    approvalChannelId,
    approverJustificationRequired: e.ACRBOT_APPROVER_JUSTIFICATION === 'required',
  });
  let policy = environmentPolicy;
  let policyWarnings: readonly PolicyWarning[] | undefined;
  if (e.ACRBOT_POLICY) {
    problems.push(...unusedWithPolicy(cleaned));
    // The policy's reminders must come before requests expire: the TTL in force when it is valid.
    const approvalTtlMs =
      parsedOk('ACRBOT_APPROVAL_TTL') &&
      e.ACRBOT_APPROVAL_TTL >= MIN_APPROVAL_TTL_MS &&
      e.ACRBOT_APPROVAL_TTL <= MAX_APPROVAL_TTL_MS
        ? e.ACRBOT_APPROVAL_TTL
        : undefined;
    try {
      // Its terms are held to ACRBOT_MIN/MAX_ACCESS_DURATION, each when it is valid.
      const loaded = readPolicyFile(e.ACRBOT_POLICY, { approvalTtlMs, ...access.limits });
      policy = loaded.policy;
      policyWarnings = loaded.warnings;
    } catch (err) {
      if (!(err instanceof PolicyFileError)) throw err;
      problems.push(err.message);
    }
  }
  // The proxy is read again where the calls are made (as the Azure SDK reads it); a malformed one
  // is refused here, at start, rather than failing the first Azure call of a running bot.
  const proxyRead = readProxyEnvironment(env);
  problems.push(...proxyRead.problems);
  // Azure mode chosen by NODE_ENV alone: say so, or "required in azure mode" puzzles whoever only
  // set NODE_ENV (a production process never falls back to the sandbox, G1).
  if (problems.length && modeFromNodeEnv)
    problems.push(
      'ACRBOT_MODE is not set, so NODE_ENV=production made this azure mode (for the sandbox, start without NODE_ENV=production)',
    );
  if (problems.length) throw new ConfigError(problems);
  const warnings = [
    ...unknownSettingWarnings(env, SETTINGS),
    ...proxyRead.warnings,
    ...(sandbox ? [] : ownTenantLeftOut(allowedTenantIds, e.MicrosoftAppTenantId)),
  ];
  return {
    policy,
    policyWarnings,
    warnings,
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
    subscriptionIds,
    armEndpoint: e.ACRBOT_ARM_ENDPOINT,
    graphEndpoint: e.ACRBOT_GRAPH_ENDPOINT,
    approverIds,
    approverGroupId: e.ACRBOT_APPROVER_GROUP,
    auditorIds: e.ACRBOT_AUDITORS,
    approvalChannelId,
    auditChannelId: e.ACRBOT_AUDIT_CHANNEL,
    allowedTenantIds,
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
    allowLocalAccountClusters: (e.ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS ?? (sandbox ? 'true' : 'false')) === 'true',
  };
}

/** What sandbox mode uses where a setting is empty (injected from `src/sandbox/defaults.ts`). */
export interface SandboxDefaults {
  subscriptionIds: readonly string[];
  approverId: string;
  tenantId: string;
  approvalChannelId: string;
}

/**
 * Sandbox mode with no settings at all: the sandbox's subscriptions, approver (unless an approver
 * group is set), tenant and approval channel fill what is empty; explicit settings win.
 */
export function applySandboxDefaults(config: AppConfig, defaults: SandboxDefaults): AppConfig {
  if (config.mode !== 'sandbox') return config;
  const next: AppConfig = {
    ...config,
    subscriptionIds: config.subscriptionIds.length ? config.subscriptionIds : [...defaults.subscriptionIds],
    approverIds: config.approverIds.length || config.approverGroupId ? config.approverIds : [defaults.approverId],
    allowedTenantIds: config.allowedTenantIds.length ? config.allowedTenantIds : [defaults.tenantId],
    approvalChannelId: config.approvalChannelId ?? defaults.approvalChannelId,
  };
  // Without a policy file, the single rule is built from the (now filled-in) approver settings.
  if (config.policy.source === 'environment')
    next.policy = policyFromEnvironment({
      approverIds: next.approverIds,
      approverGroupId: next.approverGroupId,
      approvalChannelId: next.approvalChannelId,
      approverJustificationRequired: next.approverJustificationRequired,
    });
  return next;
}

/**
 * The address the server listens on: HOST, else loopback in sandbox mode (the sandbox has no
 * auth) and every interface in azure mode (App Service routes to the container).
 */
export function listenHostOf(config: Pick<AppConfig, 'host' | 'mode'>): string {
  return config.host ?? (config.mode === 'sandbox' ? '127.0.0.1' : '0.0.0.0');
}
