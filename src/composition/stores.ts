/**
 * Step "stores": every store the app uses, opened for `ACRBOT_STORAGE` by
 * `src/integrations/store/open-stores.ts` (a new store is added there), or given by tests.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readAuditKeyFile } from '../config/audit-key';
import type * as TablesModule from '@azure/data-tables';
import { type AppConfig, isEphemeralStorage } from '../config/config';
import { type AuditKey, KEY_ADOPTION_ACTION, macOf } from '../domain/audit-chain';
import type { AuditLog, Clock, LeaseStore, ScheduleStore } from '../domain/ports';
import { REQUEST_STATES } from '../domain/request';
import { AnchorsAheadError } from '../domain/audit-anchor';
import { refuseIfAnchorsAhead } from '../flows/audit-anchoring';
import { BlobAnchorLog } from '../integrations/store/blob-anchor-log';
import { openStores, type Stores, withMemoryDefaults } from '../integrations/store/open-stores';
import type { Logger } from '../observability/logger';
import { telemetryExporting } from '../observability/telemetry';

export type { Stores } from '../integrations/store/open-stores';

/** Stores given by tests instead of opening them from config. */
export interface StoreOverrides {
  /** Replace stores (e.g. a failing audit log); the others are memory stores. */
  stores?: Partial<Stores>;
  /** Replace the schedule and lease stores (restart tests keep them across app instances). */
  coordination?: { schedule: ScheduleStore; leases: LeaseStore };
}

/**
 * The audit key: ACRBOT_AUDIT_KEY, or in the sandbox with a persistent store a key generated
 * once into `.data/audit.key` (git-ignored, outside the store, shared by every local instance).
 */
export function auditKeyFor(config: AppConfig): Buffer | undefined {
  return auditKeyAndCreatedFile(config)?.key;
}

/**
 * The audit key ({@link auditKeyFor}: ACRBOT_AUDIT_KEY, or the sandbox's key file), and the path
 * of the sandbox key file when this call created it (`created`: none was there); undefined when
 * there is no key.
 */
function auditKeyAndCreatedFile(config: AppConfig): { key: Buffer; created?: string } | undefined {
  if (config.auditKey) return { key: config.auditKey };
  if (config.mode !== 'sandbox' || config.storage.kind === 'memory') return undefined;
  const path = join(process.cwd(), '.data', 'audit.key');
  const created = createKeyFile(path);
  return { key: readAuditKeyFile(path), ...(created && { created: path }) };
}

/** Creates the key file at `path` unless it is there; true when this call created it. */
function createKeyFile(path: string): boolean {
  // Written whole to a side file, then linked into place: link fails if another instance won
  // the race, and nobody ever reads a half-written key.
  const side = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(side, randomBytes(32).toString('base64'), { mode: 0o600 });
    try {
      linkSync(side, path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return false;
    } finally {
      rmSync(side, { force: true });
    }
  } catch (err) {
    // A working directory the process may not write to (the container image's /app, before its
    // .data/ was made writable) failed here with the bare `EACCES: mkdir` and nothing to do.
    throw new Error(
      `the sandbox cannot create its audit key ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}): run acrbot from a directory it may write to (it keeps .data/ there), or set ACRBOT_AUDIT_KEY, or use ACRBOT_STORAGE=memory`,
      { cause: err },
    );
  }
}

/** Opens the configured stores, unless given; `log` hears of background failures they recovered from. */
export async function openAppStores(
  config: AppConfig,
  clock: Clock,
  overrides: StoreOverrides,
  log: Logger,
): Promise<Stores> {
  if (!overrides.stores) checkTablesConnectionString(config.storage);
  const keyed = overrides.stores ? undefined : auditKeyAndCreatedFile(config);
  const auditKey = keyed?.key;
  const opened = overrides.stores
    ? withMemoryDefaults(overrides.stores, clock)
    : await openStores(config.storage, clock, auditKey, {
        tracing: telemetryExporting(),
        // A fixed message to alert on; `err` says which work failed and what happens next.
        onBackgroundError: (err) =>
          log.error({ err }, "a store's background work failed; its error says what runs instead"),
        onProgress: (message) => log.info(message),
      });
  if (auditKey) opened.auditKey = auditKey;
  if (auditKey && config.auditAnchor) opened.anchors = new BlobAnchorLog(config.auditAnchor.target, () => clock.now());
  // Given stores are the test's own; a store opened here is checked against the anchors, before
  // anything is written, then against the key it has or lacks.
  const checked = overrides.stores
    ? Promise.resolve()
    : auditKey
      ? refuseRestoredStore(opened, auditKey, log).then(() => keyTheNewestEntry(opened.audit, config, auditKey))
      : refuseSignedLogWithoutKey(opened.audit);
  await checked.catch(async (err: unknown) => {
    // Not starting: the store is closed again (its file, its checkpoint worker).
    await opened.close();
    // A sandbox key file made just now for a log signed with another key (the file was deleted or
    // moved): it is not kept, or the next start and audit:verify would take it for the log's key,
    // and a restore that does not overwrite (cp -n) would keep it.
    if (keyed?.created && err instanceof AuditKeyMismatchError) {
      rmSync(keyed.created, { force: true });
      throw new AuditKeyMismatchError(err.seq, true, keyed.created);
    }
    throw err;
  });
  // Allowed in azure mode only for tests and benchmarks: a deployment that kept the switch says so
  // at every start, where whoever reads the log sees it (loadConfig refuses it without).
  if (!overrides.stores && config.mode === 'azure' && isEphemeralStorage(config.storage))
    log.warn(
      { storage: config.storage.kind },
      'ACRBOT_ALLOW_EPHEMERAL_STORAGE=true: the store is in process memory, so every restart loses the audit trail, pending requests and the scheduled ends of access (what was granted is then never revoked). For tests and benchmarks only',
    );
  if (!overrides.stores && config.mode === 'azure' && !isEphemeralStorage(config.storage))
    await sayIfNewStore(opened, log);
  return { ...opened, ...overrides.coordination };
}

/**
 * A store with no request at all says so at start, once per start until the first request: on a
 * store switched (SQLite to Azure Tables) or restored from an older copy, what acrbot granted
 * before is not known here. `access` and `check` then name its role assignments as only named
 * by acrbot, which acrbot neither revokes nor ends (G15); docs/operations.md says what to do.
 * A first deployment reads the same line, which is true of it too. A store that cannot be read
 * here says nothing: the start goes on, and its first real read reports the failure.
 */
async function sayIfNewStore(stores: Stores, log: Logger): Promise<void> {
  const any = await stores.requests.listByState([...REQUEST_STATES], 1).catch((err: unknown) => {
    log.debug({ err }, 'the store could not be read for the new-store line at start; its first real read reports it');
    return undefined;
  });
  if (any === undefined || any.length > 0) return;
  log.info(
    {},
    'the store holds no requests: it is new. If this deployment ran on another store before (a store switched or restored), what acrbot granted there is not known here: its role assignments show as "named as acrbot names its grants, but this store has no record of it", and acrbot will not revoke or end them (docs/operations.md, "Restoring, or changing the store")',
  );
}

/**
 * A connection string the Tables SDK cannot parse stops the start naming ACRBOT_STORAGE, and
 * never the value (it holds the key): loadConfig refuses what it knows the SDK refuses, and this
 * catches the rest before the first store opens, where the SDK's message named no setting.
 * Building a client sends no request.
 */
function checkTablesConnectionString(storage: AppConfig['storage']): void {
  if (storage.kind !== 'tables' || storage.connection.kind !== 'connectionString') return;
  const tables = require('@azure/data-tables') as typeof TablesModule;
  try {
    tables.TableClient.fromConnectionString(storage.connection.value, 'acrbot', { allowInsecureConnection: true });
  } catch (err) {
    // The SDK's messages are fixed sentences ("Invalid AccountName in the provided Connection String").
    throw new Error(
      `ACRBOT_STORAGE: the Azure Tables SDK cannot use this connection string (${err instanceof Error ? err.message : 'unreadable'}): copy the whole connection string from the storage account's Access keys, or use tables:https://<account>.table.core.windows.net with a managed identity`,
      { cause: err },
    );
  }
}

/** The audit key given is not the one the log's entries are signed with: acrbot does not start. */
export class AuditKeyMismatchError extends Error {
  /**
   * `missingKeyFile`: the sandbox's key file, which was not there (a key made for it did not
   * verify the log, and was not kept).
   */
  constructor(
    readonly seq: number,
    sandbox: boolean,
    missingKeyFile?: string,
  ) {
    super(
      missingKeyFile
        ? `The sandbox's audit key ${missingKeyFile} is missing, and the audit log (its newest entry, seq ${seq}) is signed with it. acrbot does not start, so that no entry is signed with another key and the audit trail stays verifiable; no new key file was kept. Put the original ${missingKeyFile} back, or delete ./data to start over with an empty store.`
        : `ACRBOT_AUDIT_KEY is not the key the audit log's newest entry (seq ${seq}) was signed with: the key was replaced, this is another deployment's, or that entry was altered. acrbot does not start, so that no entry is signed with another key and the audit trail stays verifiable. Put the original key back (docs/operations.md, "The audit key"), or run npm run audit:verify with it to see which entry differs${sandbox ? '; in the sandbox, restore .data/audit.key, or delete ./data to start over with an empty store' : ''}.`,
    );
    this.name = 'AuditKeyMismatchError';
  }
}

/**
 * ACRBOT_AUDIT_KEY is unset but the audit log's newest entry carries a MAC: the setting was
 * removed (a redeployment without its Key Vault reference, a setting deleted by hand). Starting
 * would append unsigned entries after signed ones, which verify calls BROKEN, and the key, once
 * back, would refuse to start on them until the operator vouched for them.
 */
export class AuditKeyMissingError extends Error {
  constructor(seq: number) {
    super(
      `ACRBOT_AUDIT_KEY is not set but the audit log is signed (its newest entry, seq ${seq}, carries a MAC): restore the setting (its Key Vault reference, @Microsoft.KeyVault(VaultName=<vault>;SecretName=acrbot-audit-key); docs/deploy.md, "The audit key") and restart. acrbot does not start without it, so that no entry is written unsigned after signed ones, which npm run audit:verify would call BROKEN.`,
    );
    this.name = 'AuditKeyMissingError';
  }
}

/**
 * The audit log's newest entry carries no MAC although the key is set: written without the key,
 * or rewritten by someone who stripped the MACs (the two look the same). acrbot does not sign it
 * on its own; the operator who has checked it says so with ACRBOT_AUDIT_ADOPT_UNSIGNED.
 */
export class AuditUnsignedLogError extends Error {
  constructor(seq: number, adopt: number | undefined, sandbox: boolean) {
    super(
      `The audit log's newest entry (seq ${seq}) carries no MAC although ACRBOT_AUDIT_KEY is set: it was written without the key, or someone rewrote it and left the MACs out, which look the same. acrbot does not sign such a log on its own. Check it first (npm run audit:export, and compare with your last export and the anchors), then start once with ACRBOT_AUDIT_ADOPT_UNSIGNED=${seq} to vouch for entries 1-${seq} and sign from there on, and unset it afterwards${adopt !== undefined ? ` (it is ${adopt}, not ${seq})` : ''}${sandbox ? '. In the sandbox you can also delete ./data to start over with an empty store' : ''}.`,
    );
    this.name = 'AuditUnsignedLogError';
  }
}

/**
 * With anchors configured, a store that does not hold what the newest published anchor vouches
 * for (restored from a backup, or replaced) stops the start ({@link AnchorsAheadError}): new
 * entries would reuse the anchored seqs, and the next anchor would fork the append-only anchor
 * log, which verify would then call rewritten for good. One listing and one download of the
 * newest day of anchors, then the head and one entry. Anchors that cannot be read (the blob
 * service down) do not stop the start: the `audit.anchor` job checks the same before it publishes.
 */
async function refuseRestoredStore(stores: Stores, key: AuditKey, log: Logger): Promise<void> {
  if (!stores.anchors) return;
  try {
    await refuseIfAnchorsAhead(stores.audit, stores.anchors, key, 'start');
  } catch (err) {
    if (err instanceof AnchorsAheadError) throw err;
    log.warn(
      { err },
      'the newest audit anchor could not be read at start; the audit.anchor job checks the store against it before it publishes',
    );
  }
}

/**
 * Without a key, a log whose newest entry carries a MAC stops the start ({@link AuditKeyMissingError}).
 * A log with no MAC on its newest entry was written without a key and goes on so.
 */
async function refuseSignedLogWithoutKey(audit: AuditLog): Promise<void> {
  const [newest] = await audit.latest(1);
  if (newest?.mac) throw new AuditKeyMissingError(newest.seq);
}

/**
 * Checks the audit key against the log at start. A key that does not verify the newest entry's
 * MAC stops the start ({@link AuditKeyMismatchError}). A log whose newest entry carries no MAC
 * (written without the key) is signed from here on only when the operator vouches for it up to
 * that entry (ACRBOT_AUDIT_ADOPT_UNSIGNED): a rewrite that strips every MAC looks the same, and
 * signing it unasked would make a forged history verify. Otherwise the start stops
 * ({@link AuditUnsignedLogError}).
 */
async function keyTheNewestEntry(audit: AuditLog, config: AppConfig, key: AuditKey): Promise<void> {
  const [newest] = await audit.latest(1);
  if (!newest) return;
  // A key that does not verify the newest MAC would sign every new entry so that verify calls the
  // log broken from there on, with nothing at start saying why (a Key Vault secret replaced by a
  // new version, a deleted sandbox key file).
  if (newest.mac) {
    if (newest.mac !== macOf(key, newest.hash)) throw new AuditKeyMismatchError(newest.seq, config.mode === 'sandbox');
    return;
  }
  if (config.auditAdoptUnsignedUpTo !== newest.seq)
    throw new AuditUnsignedLogError(newest.seq, config.auditAdoptUnsignedUpTo, config.mode === 'sandbox');
  await audit.append({
    actor: { objectId: 'acrbot', name: 'acrbot' },
    tenantId: config.allowedTenantIds[0] ?? '',
    action: KEY_ADOPTION_ACTION,
    outcome: 'keyed',
    targetIds: [],
    detail: `entries from seq ${newest.seq + 1} on carry a MAC; seq 1-${newest.seq} vouched for by the operator (ACRBOT_AUDIT_ADOPT_UNSIGNED)`,
  });
}
