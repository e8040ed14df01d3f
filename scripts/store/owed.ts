/**
 * `npm run store:owed`: what a store still owes, read without writing anything. A switch or a
 * restore of the store (docs/operations.md#restoring-or-changing-the-store) loses all of it
 * without a word: a pending request's card keeps its buttons and its requester is never told, a
 * break-glass review owed is never asked again, a credential acrbot must delete stays. So the
 * steps end with this listing empty (exit 0).
 *
 * Exit codes: 0 nothing owed, 1 something owed (listed), 2 usage, configuration or store problem.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { CliError, EXIT } from '../../src/audit-cli/cli-error';
import { inReadSnapshot } from '../../src/audit-cli/storage';
import { type ReadableStorage, resolveReadableStorage } from '../../src/audit-cli/store-setting';
import type { JobKind, RequestStore, ScheduledJob, ScheduleStore } from '../../src/domain/ports';
import { plannedAssignmentId } from '../../src/domain/plan';
import { type AccessRequest, isBeingRevoked, type RequestState } from '../../src/domain/request';
import { decodeCredentialRef } from '../../src/domain/secret-credential';
import { scrubSecrets } from '../../src/domain/secret-text';
import { SqliteScheduleStore } from '../../src/integrations/store/sqlite-coordination';
import type { SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesScheduleStore } from '../../src/integrations/store/tables-coordination';
import { TablesRequestStore } from '../../src/integrations/store/tables-request-store';

export const USAGE = `usage: npm run store:owed [-- --storage sqlite:<path>|tables:<connection>]

Lists what the store still owes: requests not finished (pending, approved, executing), access
still granted, and scheduled jobs by kind (break-glass reviews, clean-ups, orphan watches…).
Without --storage, ACRBOT_STORAGE (environment or .env) is used, as the bot does; with tables:,
ACRBOT_TABLE_PREFIX too. Nothing is written, and nothing is created.
exit codes: 0 nothing owed, 1 something owed (listed), 2 usage or store problem`;

/** Where the CLI writes. */
export interface OwedIo {
  stdout: Writable;
  stderr: Writable;
}

/** Requests whose work is not done: a decision or a run owed, or access still there to end. */
const OWED_STATES: readonly RequestState[] = ['pending', 'approved', 'executing', 'succeeded'];

/**
 * Jobs every running bot schedules for itself (the drift check, anchoring, purging): the new
 * store gets its own at its first start, so they are no debt of the old one.
 */
const RECURRING: ReadonlySet<JobKind> = new Set<JobKind>(['drift.check', 'audit.anchor', 'store.purge']);

/** What to do about a job kind before the switch (the docs' steps say the same). */
const JOB_ADVICE: Partial<Record<JobKind, string>> = {
  'request.expire': 'belongs to a pending request: reject or cancel it',
  'approval.remind': 'belongs to a pending request: reject or cancel it',
  'approval.escalate': 'belongs to a pending request: reject or cancel it',
  'approval.announce':
    "belongs to a pending request (or a break-glass grant's owed review): let it run (due 2 minutes after the request), or reject or cancel the request",
  'access.expire': 'access still granted: revoke it, or let it run out',
  'access.remind': 'access still granted: revoke it, or let it run out',
  'breakglass.review': 'a break-glass review owed (it outlives the revocation): Approve or Reject it on its card',
  'cleanup.credential': 'a credential acrbot must still delete: wait for it, or delete it by hand',
  'access.orphanWatch':
    "a revoked grant's role assignment left at a gone registry's id (watched up to 90 days): check that id by hand",
  'audit.retry': 'an audit entry not written yet: wait for it (check /readyz)',
};

/** The exit code when something is owed (a check in a script stops on it). */
const OWED = 1;

/** At most this many of each listing are read; more is said as "at least". */
const LIMIT = 1000;

/** Every job is due before this (the schedule has no "list all"; `due` with it is one). */
const END_OF_TIME = new Date('9999-12-31T23:59:59.999Z');

/** The two stores read, on one backend. */
interface OwedStores {
  requests: Pick<RequestStore, 'listByState' | 'get'>;
  schedule: Pick<ScheduleStore, 'due'>;
  /** Runs the reads on one snapshot where the backend has one (SQLite). */
  snapshot<T>(fn: () => Promise<T>): Promise<T>;
  close(): void;
  /** The store, without credentials. */
  name: string;
}

/** What the store owes. */
export interface Owed {
  requests: AccessRequest[];
  jobs: ScheduledJob[];
  recurring: ScheduledJob[];
  /** A listing reached {@link LIMIT}: there may be more. */
  truncated: boolean;
  /**
   * By job id: what a job an operator may have to do by hand names ({@link owedJobDetail}), so
   * the listing says what to delete. Names and ids only, never a secret.
   */
  details?: Record<string, string>;
}

/** Runs the CLI and returns its exit code; never throws. */
export async function runStoreOwed(
  argv: string[],
  env: Record<string, string | undefined>,
  io: OwedIo,
): Promise<number> {
  let stores: OwedStores | undefined;
  try {
    let values: { storage?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: { storage: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      }));
    } catch (err) {
      throw new CliError(`${(err as Error).message}\n${USAGE}`);
    }
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    stores = openOwedStores(resolveStorage(values.storage, env));
    const opened = stores;
    const owed = await opened.snapshot(() => readOwed(opened));
    io.stdout.write(formatOwed(opened.name, owed));
    return owed.requests.length + owed.jobs.length > 0 ? OWED : EXIT.ok;
  } catch (err) {
    if (err instanceof CliError) {
      say(io.stderr, `store:owed: ${err.message}`);
      return err.exitCode;
    }
    // Scrubbed: a storage SDK's error can quote the request's URL (a SAS, an account key).
    say(io.stderr, `store:owed: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.usage;
  } finally {
    stores?.close();
  }
}

function say(out: Writable, line: string): void {
  out.write(`${scrubSecrets(line)}\n`);
}

/**
 * The store from `--storage` or ACRBOT_STORAGE, by the bot's own config rules (only the storage
 * settings are passed: no bot credentials are needed to read the store). Memory is refused.
 */
function resolveStorage(flag: string | undefined, env: Record<string, string | undefined>): ReadableStorage {
  return resolveReadableStorage(flag, env, {
    emptyFlag: '--storage is empty; give sqlite:<path> or tables:<connection>, or leave it out',
    memory:
      'storage is "memory": it lived only inside the bot process; give --storage sqlite:<path> or tables:<connection>',
  });
}

/** Opens the stores without creating, migrating or writing anything. */
function openOwedStores(storage: ReturnType<typeof resolveStorage>): OwedStores {
  if (storage.kind === 'tables') {
    const account = openTablesAccount(storage.connection, storage.prefix);
    // existingTable: never created (`table()` would create an empty store where none was), and
    // the request store's constructor, not `open`, which backfills index rows (a write).
    return {
      requests: new TablesRequestStore(account.existingTable('requests')),
      schedule: new TablesScheduleStore(account.existingTable('schedule')),
      snapshot: (fn) =>
        fn().catch((err: unknown) => {
          if ((err as { statusCode?: unknown }).statusCode === 404)
            throw new CliError(
              `no tables ${storage.prefix ?? 'acrbot'}requests/schedule at ${account.displayEndpoint} (nothing was created); check ACRBOT_STORAGE and ACRBOT_TABLE_PREFIX`,
            );
          throw new CliError(`cannot read the store at ${account.displayEndpoint}: ${(err as Error).message}`);
        }),
      close: () => undefined,
      name: `Azure Tables at ${account.displayEndpoint}, prefix ${storage.prefix ?? 'acrbot'}`,
    };
  }
  const { path } = storage;
  if (!existsSync(path)) throw new CliError(`no database at ${path} (nothing was created); check --storage`);
  if (!statSync(path).isFile()) throw new CliError(`${path} is not a file`);
  let db: SqliteDatabase | undefined;
  try {
    // readonly: SQLite refuses every write on this connection, and it reads what the -wal holds
    // too (a running bot's latest writes), as the bot does.
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const opened = db;
    return {
      // The bot's own stores do the reading. Their constructors only prepare statements on a
      // file the current version has opened once; an older file's migration (a write) fails here.
      requests: new SqliteRequestStore(opened, false),
      schedule: new SqliteScheduleStore(opened),
      snapshot: (fn) => inReadSnapshot(opened, fn),
      close: () => opened.close(),
      name: `SQLite file ${path}`,
    };
  } catch (err) {
    db?.close();
    throw new CliError(
      `cannot read ${path}: ${(err as Error).message} (not an acrbot database, or one an older acrbot wrote: start the current version on it once)`,
    );
  }
}

/** Reads the requests and jobs owed. */
async function readOwed(stores: OwedStores): Promise<Owed> {
  const requests = await stores.requests.listByState([...OWED_STATES], LIMIT);
  const all = await stores.schedule.due(END_OF_TIME, LIMIT);
  const jobs = all.filter((job) => !RECURRING.has(job.kind));
  // The requests of the jobs done by hand are mostly finished (failed, revoked): read one by one.
  const details: Record<string, string> = {};
  for (const job of jobs) {
    if (!DETAILED.has(job.kind) || !job.requestId) continue;
    const detail = owedJobDetail(job, await stores.requests.get(job.requestId));
    if (detail) details[job.id] = detail;
  }
  return {
    requests,
    jobs,
    recurring: all.filter((job) => RECURRING.has(job.kind)),
    truncated: requests.length >= LIMIT || all.length >= LIMIT,
    details,
  };
}

/** The job kinds whose work an operator may do by hand, so the listing names its object. */
const DETAILED: ReadonlySet<JobKind> = new Set<JobKind>(['cleanup.credential', 'access.orphanWatch']);

/**
 * What `job` would delete, as an operator deletes it by hand (undefined: the request does not
 * say). An orphan watch: the role assignment's id, at the name the watch deletes (the grant's
 * recorded scope and deterministic name). A clean-up: the credential's kind and names from the
 * outcome's reference, or the request whose credential a rotation replaced. Names and ids only.
 */
export function owedJobDetail(job: Pick<ScheduledJob, 'kind'>, request: AccessRequest | undefined): string | undefined {
  if (!request) return undefined;
  if (job.kind === 'access.orphanWatch') {
    if (request.plan.kind !== 'grant') return undefined;
    const id = plannedAssignmentId(request.plan);
    return `role assignment ${id} (az role assignment delete --ids ${id})`;
  }
  if (job.kind !== 'cleanup.credential') return undefined;
  const ref = decodeCredentialRef(request.outcome?.credentialRef);
  if (ref?.kind === 'token')
    return `ACR token ${ref.tokenName}${ref.scopeMapName ? ` and scope map ${ref.scopeMapName}` : ''} on registry ${ref.registry} (resource group ${ref.resourceGroup}, subscription ${ref.subscriptionId})`;
  if (ref?.kind === 'sp') {
    const names = [
      ref.appId && `app id ${ref.appId}`,
      ref.applicationId && `object id ${ref.applicationId}`,
      ref.uniqueName && `unique name ${ref.uniqueName}`,
    ].filter(Boolean);
    const role = ref.roleAssignment
      ? `, and its role assignment ${ref.roleAssignment.scope}/providers/Microsoft.Authorization/roleAssignments/${ref.roleAssignment.name}`
      : '';
    return `service principal and application (--kind sp): ${names.join(', ') || 'no id recorded'}${role}`;
  }
  const replaced = request.outcome?.retirement?.requestId;
  if (replaced) return `the credential of ${replaced}, which this rotation replaced (its own record names it)`;
  return undefined;
}

/** Groups `items` by `key`, in first-seen order. */
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** How a request in `state` is named in the listing. */
function stateLabel(request: AccessRequest): string {
  if (request.state !== 'succeeded') return request.state;
  return isBeingRevoked(request) ? 'succeeded, being revoked' : 'succeeded, access still granted';
}

/**
 * The listing printed: ids, states, kinds and due times (no reason, no payload), and under a job
 * done by hand what it would delete ({@link Owed.details}: names and ids, never a secret).
 */
export function formatOwed(store: string, owed: Owed): string {
  const lines = [`Store: ${store} (read only)`];
  const more = owed.truncated ? ` (the first ${LIMIT} read; there may be more)` : '';
  if (owed.requests.length === 0) lines.push('Requests not finished: none');
  else {
    lines.push(`Requests not finished: ${owed.requests.length}${more}`);
    for (const [state, requests] of groupBy(owed.requests, stateLabel))
      lines.push(`  ${state}: ${requests.length}`, ...requests.map((r) => `    ${r.id}  created ${r.createdAt}`));
  }
  if (owed.jobs.length === 0) lines.push('Jobs still scheduled: none');
  else {
    lines.push(`Jobs still scheduled: ${owed.jobs.length}${more}`);
    for (const [kind, jobs] of groupBy(owed.jobs, (job) => job.kind)) {
      const advice = JOB_ADVICE[kind as JobKind];
      lines.push(`  ${kind}: ${jobs.length}${advice ? ` (${advice})` : ''}`);
      lines.push(
        ...jobs.flatMap((job) => {
          const line = `    ${job.requestId ?? job.id}  due ${new Date(job.dueAt).toISOString()}${job.attempts ? `, failed ${job.attempts} time(s)` : ''}`;
          const detail = owed.details?.[job.id];
          return detail ? [line, `      ${detail}`] : [line];
        }),
      );
    }
  }
  if (owed.recurring.length > 0)
    lines.push(
      `Recurring jobs, not owed (the new store schedules its own): ${[...new Set(owed.recurring.map((j) => j.kind))].join(', ')}`,
    );
  lines.push(
    owed.requests.length + owed.jobs.length === 0
      ? 'Nothing owed: the store can be switched or replaced.'
      : 'OWED: a switch or restore now loses all of the above (docs/operations.md#restoring-or-changing-the-store).',
  );
  return `${lines.join('\n')}\n`;
}
