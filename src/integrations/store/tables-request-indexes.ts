/**
 * The index rows of the Tables request store, and the backfill that gives requests written by
 * older versions of acrbot the rows they lack or moves them to this version's keys (docs/storage.md,
 * "Index rows and their backfill").
 *
 * Each request has, next to its row `r|<id>`, four index rows in the same partition, all keyed
 * by its state and moved with it in one transaction: `s|` (by state), `t|` (by cluster and
 * registry), `u|` (by requester), `n|` (by state, newest first; layout 5). Requests written before `t|` and `u|` existed (or with the `t|`
 * row keyed by id only) have a transition fail on the missing row (a 404 in the transaction, read
 * as "changed by someone else") and are missing from the by-target and by-requester lists.
 * Layout 3 keyed `t|` by both ARM ids escaped in full (up to ~700 characters with long resource
 * group names, over the service's 512): layout 4 keys it by their digests, and the backfill
 * moves every layout-3 `t|` row to its layout-4 key like any other stale row. Layout 5 adds the
 * `n|` rows: Tables reads keys in ascending order only, and the ended states (revoked, failed…)
 * only accumulate, so their newest requests (the start's sweeps, the inventory) need a key that
 * sorts them first.
 *
 * The backfill writes what is missing and deletes what is stale, one request per transaction,
 * each transaction conditional on the request's state row under the ETag read: `s|` has moved
 * with every transition in every version, so if the request moved since the rows were read the
 * transaction fails (404/412) and that request is read again. Every action is a create (409 if
 * there), a delete (404 if gone) or that conditional replace: two instances backfilling at once,
 * or a retried request whose answer was lost, see the other's work and read again. A marker row
 * records the layout once everything is done, so a normal start reads one row.
 */
import type { TableClient } from '@azure/data-tables';
import { type AccessRequest, type RequestState, REQUEST_STATES } from '../../domain/request';
import {
  boundedKeyPart,
  findEntity,
  keyDigest,
  keyPart,
  lit,
  listAll,
  prefixFilter,
  readDoc,
  statusOf,
  type Row,
} from './tables-client';
import { tableRest, type Entity } from './tables-rest';
import { MAX_KEY_LENGTH, submitTransaction, type TransactionAction } from './tables-transaction';

/** The partition of every request row. */
export const PK = 'req';

/**
 * The index layout this version writes (3: `t|` rows keyed by state like `s|` and `u|`; 4: the
 * cluster and registry in `t|` keys as digests, so that the key fits whatever the ids' length;
 * 5: the `n|` rows, by state newest first).
 */
export const LAYOUT = 5;

/** The row that says every request has the index rows of {@link LAYOUT}. */
export const LAYOUT_MARKER = 'm|layout';

/** What a request's index keys are made of (none of it changes but the state). */
export interface IndexFields {
  id: string;
  state: RequestState;
  createdAt: string;
  requesterId: string;
  clusterId: string;
  registryId: string;
}

export function indexFields(r: AccessRequest): IndexFields {
  const { id, state, createdAt } = r;
  return {
    id,
    state,
    createdAt,
    requesterId: r.requester.objectId,
    clusterId: r.plan.cluster.id,
    registryId: r.plan.registry.id,
  };
}

export const requestKey = (id: string) => `r|${keyPart(id)}`;

/**
 * An ARM id in a `t|` key: the digest of the id lower-cased (ids compare case-insensitively).
 * Escaped in full, a cluster id and a registry id with 90-character resource group names made a
 * key of ~560 characters, over the service's 512, and every request on that pair failed.
 */
const armIdKey = (armId: string) => keyDigest(armId.toLowerCase());

/** Every `t|` row of one registry, all clusters (id compared case-insensitively). */
export const targetRegistryPrefix = (registryId: string) => `t|${armIdKey(registryId)}|`;

/** Every `t|` row of one cluster and registry (ids compared case-insensitively), or those in `state`. */
export const targetPrefix = (clusterId: string, registryId: string, state?: RequestState) =>
  `${targetRegistryPrefix(registryId)}${armIdKey(clusterId)}|${state ? `${state}|` : ''}`;

/**
 * Every layout-3 `t|` row of one cluster and registry: both ids escaped in full. Only read to
 * remove them (a request an older instance wrote after the backfill, repaired on a transition).
 */
export const legacyTargetPrefix = (clusterId: string, registryId: string) =>
  `t|${keyPart(registryId.toLowerCase())}|${keyPart(clusterId.toLowerCase())}|`;

/**
 * Every `u|` row of one requester (object id compared case-insensitively), or those in `state`.
 * An Entra object id is a GUID; anything longer than 128 characters escaped (never an object id,
 * so no stored row changes key) is a digest, so the key always fits.
 */
export const requesterPrefix = (requesterId: string, state?: RequestState) =>
  `u|${boundedKeyPart(requesterId.toLowerCase(), 128)}|${state ? `${state}|` : ''}`;

const tail = (f: IndexFields) => `${keyPart(f.createdAt)}|${keyPart(f.id)}`;

/** Every `n|` row of requests in `state`: newest first. */
export const newestPrefix = (state: RequestState) => `n|${state}|`;

/** The largest time a 14-digit key part holds, in ms (the year 5138). */
const LAST_MS = 99_999_999_999_999;

/**
 * `createdAt` as a key part that sorts the newest first: {@link LAST_MS} minus its milliseconds,
 * 14 digits. A time that does not parse (never one acrbot wrote) sorts as the oldest; the key
 * only orders, the row's `createdAt` and the request itself decide.
 */
export function newestFirstTime(createdAt: string): string {
  const ms = Date.parse(createdAt);
  const kept = Number.isFinite(ms) ? Math.min(Math.max(ms, 0), LAST_MS) : 0;
  return String(LAST_MS - kept).padStart(14, '0');
}

/** The `n|` row's key of a request in `state` (its state is the only part that changes). */
const newestKey = (f: IndexFields, state: RequestState) =>
  `${newestPrefix(state)}${newestFirstTime(f.createdAt)}|${keyPart(f.id)}`;

/**
 * The request's index rows, in this order: by state (`s|`), by target (`t|`), by requester (`u|`),
 * by state newest first (`n|`). The `t|` row carries both ids as they are: its key has only their
 * digests.
 */
export function indexRows(f: IndexFields): [Row, Row, Row, Row] {
  const row = (rowKey: string): Row => ({ partitionKey: PK, rowKey, id: f.id, createdAt: f.createdAt });
  return [
    { partitionKey: PK, rowKey: `s|${f.state}|${tail(f)}`, id: f.id },
    {
      ...row(`${targetPrefix(f.clusterId, f.registryId, f.state)}${tail(f)}`),
      clusterId: f.clusterId,
      registryId: f.registryId,
    },
    row(`${requesterPrefix(f.requesterId, f.state)}${tail(f)}`),
    row(newestKey(f, f.state)),
  ];
}

/** A request's `t|`, `u|` and `n|` rows as stored, and its state row's key and ETag. */
interface StoredIndexes {
  state?: { key: string; etag: string };
  keys: string[];
}

/**
 * The transaction that makes the stored `t|`/`u|`/`n|` rows of `request` those of {@link indexRows},
 * conditional on its state row; [] when they are; undefined when the state row read is not the
 * request's (it moved between the reads): read again.
 */
function repairActions(request: AccessRequest, stored: StoredIndexes): TransactionAction[] | undefined {
  const [state, ...others] = indexRows(indexFields(request));
  const wanted = new Set(others.map((r) => r.rowKey));
  const actions: TransactionAction[] = [
    ...others.filter((r) => !stored.keys.includes(r.rowKey)).map((r): TransactionAction => ['create', r]),
    ...stored.keys
      .filter((k) => !wanted.has(k))
      .map((k): TransactionAction => ['delete', { partitionKey: PK, rowKey: k }]),
  ];
  if (actions.length === 0) return [];
  // Never created here: a missing state row means the request moved after it was read.
  if (stored.state?.key !== state.rowKey) return undefined;
  return [['update', state, 'Replace', { etag: stored.state.etag }], ...actions];
}

const isRace = (err: unknown) => [404, 409, 412].includes(statusOf(err) ?? 0);

/**
 * Reads request `id` and its index rows afresh and repairs them. True when the rows are intact
 * after a repair was sent (by this call, or by another writer it raced), false when there was
 * nothing to repair from the start (or no such request). Retries when another writer moved first.
 */
export async function repairRequestIndexes(table: TableClient, id: string, attempts = 5): Promise<boolean> {
  // A repair applied whose answer was lost is resent by the SDK's retry policy and refused (412
  // on its own state-row replace): read again, the rows are intact, and that is this call's work.
  let sent = false;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const row = await findEntity(table, PK, requestKey(id));
    if (!row) return false;
    const request = readDoc<AccessRequest>(row);
    const f = indexFields(request);
    const byId = `and id eq ${lit(id)}`;
    // The layout-3 `t|` rows too: an older instance still running writes them (removed here).
    const [state, targets, legacy, requesters, newest] = await Promise.all([
      findEntity(table, PK, indexRows(f)[0].rowKey),
      listAll(table, `${prefixFilter(PK, targetPrefix(f.clusterId, f.registryId))} ${byId}`, ['RowKey']),
      legacyRows(table, f, byId),
      listAll(table, `${prefixFilter(PK, requesterPrefix(f.requesterId))} ${byId}`, ['RowKey']),
      newestRows(table, f),
    ]);
    const actions = repairActions(request, {
      state: state && { key: state.rowKey!, etag: state.etag },
      keys: [...[...targets, ...legacy, ...requesters].map((r) => r.rowKey!), ...newest],
    });
    if (actions?.length === 0) return sent;
    if (!actions) continue;
    try {
      sent = true;
      await submitTransaction(table, actions);
      return true;
    } catch (err) {
      if (!isRace(err)) throw err;
    }
  }
  throw new Error(`index rows of request ${id} could not be repaired: it kept changing`);
}

/** The layout-3 `t|` rows of a request (none when their key could never have been stored). */
async function legacyRows(table: TableClient, f: IndexFields, byId: string): ReturnType<typeof listAll> {
  const prefix = legacyTargetPrefix(f.clusterId, f.registryId);
  // `<prefix><state>|<createdAt>|<id>`, the shortest state being 6 characters.
  if (prefix.length + 7 + tail(f).length > MAX_KEY_LENGTH) return [];
  return listAll(table, `${prefixFilter(PK, prefix)} ${byId}`, ['RowKey']);
}

/**
 * The keys of a request's stored `n|` rows: one point read per state (its time and id are in
 * every key), not a filter on `n|`, which the service would answer by scanning every request's.
 */
async function newestRows(table: TableClient, f: IndexFields): Promise<string[]> {
  const keys = REQUEST_STATES.map((state) => newestKey(f, state));
  const found = await Promise.all(keys.map((key) => findEntity(table, PK, key)));
  return keys.filter((_, i) => found[i] !== undefined);
}

/** What a backfill did (tests, logs). */
export interface BackfillReport {
  /** False when the marker said there was nothing to do (one read). */
  scanned: boolean;
  requests: number;
  repaired: number;
  /** Requests whose row could not be read or repaired (left as they were; no marker written). */
  failed?: Array<{ id: string; error: Error }>;
}

/** How a backfill runs: requests repaired at once, and where its progress goes. */
export interface BackfillOptions {
  concurrency?: number;
  /** Told when a scan starts, every `progressEveryMs` while it reads pages, and when it is done. */
  onProgress?: (message: string) => void;
  /** Default 10 s; 0 reports after every page. */
  progressEveryMs?: number;
}

/**
 * Gives every request the index rows of {@link LAYOUT}, then writes the marker. Reads one row
 * when the marker is there. A start that dies half way leaves no marker; the next one scans
 * again and finds the requests already repaired intact (each repair is one transaction). A scan
 * says what it has done so far (`onProgress`): the first start after an upgrade reads every
 * request before it serves, and an operator should see that it is moving.
 *
 * One request that cannot be read or repaired (a damaged row, a refusal) does not stop the
 * others or the start: it is reported in `failed`, the marker is not written, and the request
 * is repaired by its first transition or the next start. Failing to list the rows (the store
 * unreachable) still fails the start.
 */
export async function backfillIndexes(table: TableClient, options: BackfillOptions = {}): Promise<BackfillReport> {
  const { concurrency = 16, onProgress = () => {}, progressEveryMs = 10_000 } = options;
  const marker = await findEntity(table, PK, LAYOUT_MARKER);
  if (Number(marker?.layout ?? 0) >= LAYOUT) return { scanned: false, requests: 0, repaired: 0 };
  onProgress(`request index backfill (layout ${LAYOUT}): reading the index rows, then every request, before serving`);
  let reportedAt = Date.now();
  // The index rows first (keys only), then the requests page by page: a request whose rows
  // moved between the two reads fails its conditional transaction and is read again alone.
  const stored = new Map<string, StoredIndexes>();
  for (const prefix of ['s|', 't|', 'u|', 'n|']) {
    for (const row of await listAll(table, prefixFilter(PK, prefix), ['RowKey', 'id'])) {
      const id = String(row.id);
      const entry = stored.get(id) ?? { keys: [] };
      if (prefix === 's|') entry.state = { key: row.rowKey!, etag: row.etag };
      else entry.keys.push(row.rowKey!);
      stored.set(id, entry);
    }
    onProgress(`request index backfill: ${prefix} index rows read (${count(stored.size, 'request')} so far)`);
  }
  const report: BackfillReport = { scanned: true, requests: 0, repaired: 0 };
  const failed: NonNullable<BackfillReport['failed']> = [];
  for await (const page of tableRest(table).pages({ filter: prefixFilter(PK, 'r|') })) {
    const requests: AccessRequest[] = [];
    for (const row of page) {
      try {
        requests.push(readDoc<AccessRequest>(row));
      } catch (err) {
        failed.push({ id: String(row.rowKey), error: err as Error });
      }
    }
    report.requests += page.length;
    for (let i = 0; i < requests.length; i += concurrency) {
      const wrote = await Promise.all(
        requests.slice(i, i + concurrency).map((r) =>
          repairFromScan(table, r, stored.get(r.id) ?? { keys: [] }).catch((err: unknown) => {
            failed.push({ id: r.id, error: err as Error });
            return false;
          }),
        ),
      );
      report.repaired += wrote.filter(Boolean).length;
    }
    if (Date.now() - reportedAt >= progressEveryMs) {
      reportedAt = Date.now();
      onProgress(
        `request index backfill: ${count(report.requests, 'request')} read, ${report.repaired} repaired so far`,
      );
    }
  }
  const failures = failed.length ? `, ${failed.length} not repaired (see the error logged next)` : '';
  onProgress(
    `request index backfill done: ${count(report.requests, 'request')} read, ${report.repaired} repaired${failures}`,
  );
  if (failed.length) return { ...report, failed };
  await writeMarker(table, marker);
  return report;
}

/** `1 request`, `3 requests`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

async function repairFromScan(table: TableClient, request: AccessRequest, stored: StoredIndexes): Promise<boolean> {
  const actions = repairActions(request, stored);
  if (actions?.length === 0) return false;
  if (actions) {
    try {
      await submitTransaction(table, actions);
      return true;
    } catch (err) {
      if (!isRace(err)) throw err;
    }
  }
  return repairRequestIndexes(table, request.id);
}

/** Creates the marker, or moves an older one forward under its ETag; another instance's is as good. */
async function writeMarker(table: TableClient, read: Entity | undefined): Promise<void> {
  const row: Row = { partitionKey: PK, rowKey: LAYOUT_MARKER, layout: LAYOUT, at: new Date().toISOString() };
  try {
    if (read) await tableRest(table).replace(row, read.etag);
    else await tableRest(table).create(row);
  } catch (err) {
    if (!isRace(err)) throw err;
    const now = await findEntity(table, PK, LAYOUT_MARKER);
    if (Number(now?.layout ?? 0) < LAYOUT) throw new Error('the request index marker kept changing', { cause: err });
  }
}
