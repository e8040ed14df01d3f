/**
 * Requests and card copies in Azure Table Storage with conditional writes (G8): create fails
 * when the row exists (409), a transition replaces the row only under the ETag it was read
 * with (If-Match; 412 → {@link VersionConflictError}).
 *
 * Layout (one table, one partition `req`, so a request and its index rows change in one
 * entity-group transaction; keys and backfill in `tables-request-indexes.ts`):
 * - `r|<id>`: the request (JSON split over `doc*` properties), `version`, `state`;
 * - `s|<state>|<createdAt>|<id>`: one index row per request, moved atomically with each
 *   transition, so `listByState` is a key-range read in createdAt order;
 * - `c|<id>|<activityId>`: a card copy; `order` keeps insertion order;
 * - `t|<registry digest>|<cluster digest>|<state>|<createdAt>|<id>`: one row per request on its
 *   (never changing) cluster and registry, moved with each transition, so `listByTarget` reads
 *   only that pair's requests in the states asked for (G17 overlap, revoke), not its whole
 *   history; the ids are SHA-256 digests (of the id lower-cased) because two ARM ids in full can
 *   be longer than a key may be, and the row carries them as properties;
 * - `u|<requester object id>|<state>|<createdAt>|<id>`: one row per request, moved with each
 *   transition in the same transaction as `s|`, so `listByRequester` (the per-user pending cap,
 *   read on every new request) is a key-range read of that user's requests in those states only.
 *   Tables has no secondary indexes; an index row in the request's own partition is the only
 *   way to make this query O(matches) and still atomic with the request's state;
 * - `n|<state>|<inverted createdAt>|<id>`: one row per request, moved with each transition like
 *   `s|`, whose key sorts the newest first (tables-request-indexes.ts, newestFirstTime): Tables
 *   reads keys in ascending order only, and a listing of the ended states, which only
 *   accumulate, must see yesterday's requests, not only a year-old first `limit`;
 * - `m|layout`: written once every request has the index rows above (the backfill, on open).
 * An index row is a hint: lists read each request and keep it only if the request itself is in
 * a state asked for. A listing of many requests reads them with one query of the `r|` rows in the
 * states asked for instead of a point read each (see {@link SCAN_FROM}). One partition serves a
 * few thousand writes a second, far above an approval bot's rate.
 */
import { randomUUID } from 'node:crypto';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { CardCopy, ListOrder, RequestStore } from '../../domain/ports';
import { mapAtMost } from '../../domain/bounded-map';
import { VersionConflictError } from '../../domain/ports';
import { type AccessRequest, type RequestState, STATE_ROUNDS } from '../../domain/request';
import {
  boundedKeyPart,
  docProperties,
  findEntity,
  keyPart,
  listAll,
  listTop,
  lit,
  prefixFilter,
  readDoc,
  refusedAsSuch,
  statusOf,
  type Row,
} from './tables-client';
import { KnownRows } from './known-rows';
import {
  backfillIndexes,
  indexFields,
  type IndexFields,
  indexRows,
  newestPrefix,
  PK,
  repairRequestIndexes,
  requesterPrefix,
  requestKey,
  targetPrefix,
  targetRegistryPrefix,
} from './tables-request-indexes';
import { tableRest } from './tables-rest';
import { MAX_KEY_LENGTH, submitTransaction, type TransactionAction } from './tables-transaction';
import { compareCodeUnits } from '../../domain/code-unit-order';

/**
 * What {@link TablesRequestStore.update} needs of the row it replaces: its ETag, index keys and
 * the trail of recent write ids it carries (see {@link TRAIL}).
 */
interface KnownRow {
  version: number;
  etag: string;
  fields: IndexFields;
  trail: string[];
}

/**
 * Write ids a request row keeps (its own and those of the writes before it), so that a write
 * whose answer was lost is still recognised as applied after other writers followed it: another
 * instance can only write after reading our row, and it keeps our id in the trail it writes.
 * Eight covers far more writes than can land in the seconds a resend takes (each write of a
 * request is a step of its flow).
 */
const TRAIL = 8;

/** The write ids a request row carries, oldest first: its `writeIds`, or the single `writeId` of older rows. */
function trailOf(row: Record<string, unknown>): string[] {
  if (typeof row.writeIds === 'string' && row.writeIds) return row.writeIds.split(' ');
  return typeof row.writeId === 'string' ? [row.writeId] : [];
}

/**
 * True when a failed write may have been stored all the same: it went out (the service answered
 * with a status, or the pipeline reports a transport failure, a reset or a timeout, as a
 * `RestError` or an abort) and was not refused as such (a 4xx other than a timeout or
 * throttling stores nothing). An error raised before anything was sent (a key too long for the
 * service, checkKeys) cannot have been stored.
 */
function mayHaveLanded(err: unknown): boolean {
  if (statusOf(err) !== undefined) return !refusedAsSuch(err);
  const name = (err as { name?: unknown } | undefined)?.name;
  return name === 'RestError' || name === 'AbortError' || name === 'TimeoutError';
}

/**
 * How many requests a listing reads at once. A listing can name thousands (the tab's nine states,
 * a registry's history); all at once, thousands of point reads of one partition invite
 * throttling (429/503), and each holds a socket and a parsed document at the same moment.
 */
export const LIST_READS_AT_ONCE = 24;

/**
 * From how many requests a listing reads them with one query of the request rows in the states
 * asked for (`r|` keys, a filter on the row's `state`; 1,000 a page) instead of a point read each.
 * Tables bills every read, and a listing of 800 grants was 800 of them (15 s on Azurite; now 5
 * queries, 0.3 s). The service answers the filter by reading every request row of the partition
 * (there is no index on a property), history included, so a listing of a few requests keeps its
 * point reads, a round trip or two at {@link LIST_READS_AT_ONCE} at once. The listing is decided
 * as before: the index rows name the requests and their order, the request rows decide.
 */
export const SCAN_FROM = 100;

/**
 * States requests pass through (waiting, being granted, granted): how many are in them follows
 * what is live now, not the history, so reading all of them to keep some stays in proportion.
 * The other states only accumulate.
 */
const PASSING_STATES: readonly RequestState[] = ['pending', 'approved', 'executing', 'succeeded'];

/** The prefix of a request's card copies' keys. */
const cardCopyPrefix = (requestId: string) => `c|${keyPart(requestId)}|`;

/**
 * A card copy's key; an activity id too long for the key (never a Teams one) is a digest, and
 * every key that fitted before is unchanged (the copies are read by prefix, never by key).
 */
function cardCopyKey(copy: CardCopy): string {
  const prefix = cardCopyPrefix(copy.requestId);
  return `${prefix}${boundedKeyPart(copy.activityId, MAX_KEY_LENGTH - prefix.length)}`;
}

/** Azure Tables-backed {@link RequestStore}. */
export class TablesRequestStore implements RequestStore {
  private order = 0;
  /**
   * The row of each request as this instance last read or wrote it. A transition usually
   * follows a read or write of the version before it here (the flows read, decide, write), so
   * `update` can go straight to the conditional transaction instead of reading the row again
   * for its ETag. Safe because every write of a request row raises its version: the ETag known
   * for version v is the row's ETag for as long as the row is at v; once another instance has
   * written, the transaction fails with 412 exactly as after a fresh read.
   */
  private readonly known = new KnownRows<KnownRow>();

  private readonly scanFrom: number;

  /** `options.scanFrom`: {@link SCAN_FROM} unless a test runs the contract with every listing through the query. */
  constructor(
    private readonly table: TableClient,
    options: { scanFrom?: number } = {},
  ) {
    this.scanFrom = options.scanFrom ?? SCAN_FROM;
  }

  /**
   * Opens the store on `table` after giving requests written by older versions their index
   * rows (one read when that was done before; see tables-request-indexes.ts), telling
   * `onProgress` how that goes. Requests the backfill could not repair go to `onProblem`
   * (logged) and do not stop the start.
   */
  static async open(
    table: TableClient,
    onProblem?: (err: Error) => void,
    onProgress?: (message: string) => void,
  ): Promise<TablesRequestStore> {
    const { failed } = await backfillIndexes(table, { onProgress });
    if (failed?.length)
      (onProblem ?? ((err: Error) => process.emitWarning(err)))(
        new Error(
          `${failed.length} request(s) kept their old index rows (${failed
            .slice(0, 5)
            .map((f) => f.id)
            .join(
              ', ',
            )}${failed.length > 5 ? ', …' : ''}): each is repaired by its first transition or at the next start`,
          { cause: failed[0].error },
        ),
      );
    return new TablesRequestStore(table);
  }

  async create(request: AccessRequest): Promise<void> {
    const writeId = randomUUID();
    try {
      const result = await submitTransaction(this.table, [
        ['create', this.requestRow(request, [writeId])],
        ...indexRows(indexFields(request)).map((row): TransactionAction => ['create', row]),
      ]);
      this.remember(request, result.subResponses[0]?.etag, [writeId]);
    } catch (err) {
      if (statusOf(err) !== 409) return this.heldDespite(err, request.id, writeId);
      if (await this.holds(request.id, writeId)) return;
      throw new Error(`request ${request.id} already exists`, { cause: err });
    }
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    return (await this.read(id))?.request;
  }

  async update(next: AccessRequest): Promise<void> {
    return this.write(next, false);
  }

  private async write(next: AccessRequest, repaired: boolean): Promise<void> {
    const known = this.known.get(next.id);
    const current = known?.version === next.version - 1 ? known : await this.readKnown(next.id);
    // The version check is ours; the ETag makes it atomic against every other writer.
    if (!current || current.version !== next.version - 1) throw new VersionConflictError(next.id);
    const writeId = randomUUID();
    const trail = [...current.trail, writeId].slice(-TRAIL);
    const row = this.requestRow(next, trail);
    const actions: TransactionAction[] = [['update', row, 'Replace', { etag: current.etag }]];
    // Each index row whose key changes (the state is in every key) moves in the same transaction.
    const before = indexRows(current.fields);
    indexRows(indexFields(next)).forEach((after, i) => {
      if (before[i].rowKey === after.rowKey) return;
      actions.push(['delete', { partitionKey: PK, rowKey: before[i].rowKey }]);
      actions.push(['upsert', after, 'Replace']);
    });
    try {
      // No index row moves (same state, same requester): a single If-Match replace, as atomic as
      // a one-action transaction and without its multipart envelope.
      const etag =
        actions.length === 1
          ? (await tableRest(this.table).replace(row, current.etag)).etag
          : // Sub-responses follow the actions' order: the request row's is the first.
            (await submitTransaction(this.table, actions)).subResponses[0]?.etag;
      this.remember(next, etag, trail);
    } catch (err) {
      this.known.forget(next.id);
      // 412: someone else's write landed after our read; 404: the index row went with it.
      const status = statusOf(err);
      if (status !== 412 && status !== 404) return this.heldDespite(err, next.id, writeId);
      if (await this.holds(next.id, writeId)) return;
      // 404 may also be an index row this request never had (written by an older version after
      // the backfill ran): repaired under its state row's ETag, the transition is tried once more.
      if (status === 404 && !repaired && (await repairRequestIndexes(this.table, next.id))) {
        return this.write(next, true);
      }
      throw new VersionConflictError(next.id);
    }
  }

  /**
   * True when this write (`writeId`, a random id each write puts in the row) was stored: the row
   * is its own, or a later one whose trail still names it. A write whose answer was lost (a 500
   * OperationTimedOut or a reset after the service applied it) is resent by the SDK's retry
   * policy and refused (409, 412, or 404 for an index row it already moved) as if another writer
   * had won, and by then another instance may have moved the request on from our write (an
   * approval followed at once by its execution elsewhere). The document alone cannot tell: two
   * instances deciding the same click in the same millisecond write equal ones. A row written by
   * an older version keeps no trail: a write followed by one of those is reported as a conflict.
   */
  private async holds(id: string, writeId: string): Promise<boolean> {
    const row = await findEntity(this.table, PK, requestKey(id));
    return row !== undefined && trailOf(row).includes(writeId);
  }

  /**
   * After a write failed with `err` other than a lost race: resolves when the write was stored
   * all the same, else throws `err`. A 5xx, 408, 429 or a failure with no answer (a reset, a
   * timeout) comes after the SDK's last retry, and an earlier try (or this one) may have been
   * applied with its answer lost; reported as a failure, the flows would leave the transition
   * stored and unaudited (G11). A refusal as such (another 4xx), or an error raised before
   * anything was sent, proves nothing was written ({@link mayHaveLanded}).
   * When the read-back fails too, neither is known: both errors go on, the write's first.
   */
  private async heldDespite(err: unknown, id: string, writeId: string): Promise<void> {
    if (!mayHaveLanded(err)) throw err;
    let held: boolean;
    try {
      held = await this.holds(id, writeId);
    } catch (readErr) {
      throw new AggregateError([err, readErr], `request ${id} was written or not: reading it back failed`);
    }
    if (!held) throw err;
  }

  async listByState(states: RequestState[], limit = 100, order: ListOrder = 'oldestFirst'): Promise<AccessRequest[]> {
    // `n|` rows sort the newest first and carry createdAt; `s|<state>|<createdAt>|<id>` rows carry
    // no createdAt property: it is the key's third part.
    if (order === 'newestFirst') return this.listIndexed(newestPrefix, states, limit, undefined, order, true);
    return this.listIndexed(
      (s) => `s|${s}|`,
      states,
      limit,
      (row) => row.rowKey!.split('|')[2],
      order,
      true,
    );
  }

  /**
   * The first `limit` index rows of each state: a round of STATE_ROUNDS at once, the rounds one
   * after another. Every transition moves a request to a later round (request.test.ts checks it),
   * so a request that moves between two of these reads (executing → succeeded) is found by the
   * later one. Read all at once, it could be read in neither: before its move by the `succeeded`
   * read, after it by the `executing` one, and a revocation would not see a grant that holds.
   * All nine states (the tab) take five rounds.
   */
  private async indexRowsByState(
    prefix: (state: RequestState) => string,
    states: RequestState[],
    limit: number,
    /** How one state's rows are read: by default its first `limit` in key order. */
    read: (filter: string) => Promise<TableEntityResult<Record<string, unknown>>[]> = (filter) =>
      listTop(this.table, filter, limit),
  ): Promise<TableEntityResult<Record<string, unknown>>[][]> {
    const perState: TableEntityResult<Record<string, unknown>>[][] = [];
    for (const round of STATE_ROUNDS) {
      const asked = round.filter((state) => states.includes(state));
      perState.push(...(await Promise.all(asked.map((s) => read(prefixFilter(PK, prefix(s)))))));
    }
    return perState;
  }

  // The signature repeats RequestStore.listByTarget's in each of the three stores (the port's shape, not shared logic).
  async listByTarget(
    clusterId: string,
    registryId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    // The key has the ids' digests; the request's own ids decide, as its state does.
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const prefix = (s: RequestState) => targetPrefix(clusterId, registryId, s);
    const found =
      order === 'oldestFirst'
        ? await this.listIndexed(prefix, states, limit)
        : await this.newestOf(prefix, states, limit);
    return found.filter((r) => same(r.plan.cluster.id, clusterId) && same(r.plan.registry.id, registryId));
  }

  async listByRegistry(
    registryId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    if (states.length === 0 || limit <= 0) return [];
    // `t|<registry>|<cluster>|<state>|<createdAt>|<id>`: the keys of the registry's rows, every
    // cluster and state, in one scan; the state is the second part after the prefix. The request
    // read afterwards decides, as in every list. One scan, not rounds: a request that moves while
    // it runs can be missed, and the callers allow for that. A revocation lists under the access
    // lease, and a request that starts being granted meanwhile waits for that lease before it
    // relies on the assignment (access-lease.ts); a new grant's overlap check only decides
    // whether to offer the overlap.
    const prefix = targetRegistryPrefix(registryId);
    const rows = await listAll(this.table, prefixFilter(PK, prefix), ['RowKey', 'id', 'createdAt']);
    const asked = rows.filter((row) => states.includes(row.rowKey!.slice(prefix.length).split('|')[1] as RequestState));
    const found = await this.requestsOf(asked, states, limit, undefined, order);
    return found.filter((r) => r.plan.registry.id.toLowerCase() === registryId.toLowerCase());
  }

  async listByRequester(
    requesterId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    const prefix = (s: RequestState) => requesterPrefix(requesterId, s);
    if (order === 'oldestFirst') return this.listIndexed(prefix, states, limit);
    if (states.length === 0 || limit <= 0) return [];
    // `u|` keys sort oldest first and Tables reads keys in ascending order only: every key of this
    // user's rows in these states is read (keys and two properties, 1000 a page), in rounds as
    // listIndexed reads, and only the newest `limit` requests in full. The cost follows this one
    // user's history, not everyone's; a newest-first `u|` row kind would need a new index layout
    // and its backfill.
    return this.newestOf(prefix, states, limit);
  }

  /**
   * The newest `limit` requests of an index whose keys (`prefix(state)`) sort oldest first:
   * every key in those states is read (keys and two properties, 1000 a page), in rounds as
   * listIndexed reads, and only the newest `limit` requests in full.
   */
  private async newestOf(
    prefix: (state: RequestState) => string,
    states: RequestState[],
    limit: number,
  ): Promise<AccessRequest[]> {
    if (states.length === 0 || limit <= 0) return [];
    const keys = ['RowKey', 'id', 'createdAt'];
    const perState = await this.indexRowsByState(prefix, states, limit, (filter) => listAll(this.table, filter, keys));
    return this.requestsOf(perState.flat(), states, limit, undefined, 'newestFirst');
  }

  /**
   * Each state's index rows (`prefix(state)`, whose keys are in `order`), read in rounds, then
   * their requests (requestsOf). `everyone`: the prefix holds every request in the state (`s|`,
   * `n|`), not one pair's or one user's.
   */
  private async listIndexed(
    prefix: (state: RequestState) => string,
    states: RequestState[],
    limit: number,
    createdAtOf: (row: TableEntityResult<Record<string, unknown>>) => string = (row) => String(row.createdAt),
    order: ListOrder = 'oldestFirst',
    everyone = false,
  ): Promise<AccessRequest[]> {
    if (states.length === 0 || limit <= 0) return [];
    const perState = await this.indexRowsByState(prefix, states, limit);
    // Every state's read came back before its `limit`: the rows name every request in those states.
    const whole = everyone && perState.every((rows) => rows.length < limit);
    return this.requestsOf(perState.flat(), states, limit, createdAtOf, order, whole);
  }

  /**
   * The requests behind index rows, in createdAt `order`, each once (one that moved between two
   * reads has two rows), cut at `limit`, then read as they are now (requestsNow), which decides:
   * a request whose state moved since its row was read is left out. `whole`: the rows are every
   * request's in `states` (no state's read was cut).
   */
  private async requestsOf(
    rows: TableEntityResult<Record<string, unknown>>[],
    states: RequestState[],
    limit: number,
    createdAtOf: (row: TableEntityResult<Record<string, unknown>>) => string = (row) => String(row.createdAt),
    order: ListOrder = 'oldestFirst',
    whole = false,
  ): Promise<AccessRequest[]> {
    const sign = order === 'newestFirst' ? -1 : 1;
    const named = [...new Map(rows.map((row) => [String(row.id), createdAtOf(row)])).entries()];
    const ids = named
      .map(([id, createdAt]) => ({ id, createdAt }))
      // Ids ascending within one time in either order, as the keys (`s|`, `t|`, `u|`, `n|`) have
      // them: each state's read is then a prefix of this order, and the cut below agrees with it.
      .sort((a, b) => sign * compareCodeUnits(a.createdAt, b.createdAt) || compareCodeUnits(a.id, b.id))
      .slice(0, limit)
      .map((i) => i.id);
    // Reading every request in `states` keeps about as many as it reads: states requests pass
    // through, or all the requests of those states named here and at most twice the kept ones.
    const inProportion = states.every((s) => PASSING_STATES.includes(s)) || (whole && named.length <= 2 * ids.length);
    const found = await this.requestsNow(ids, states, inProportion);
    return found.filter((r): r is AccessRequest => r !== undefined && states.includes(r.state));
  }

  /**
   * Requests `ids` as they are now, in that order (undefined: no such request). A point read of
   * each, {@link LIST_READS_AT_ONCE} at a time; or, for {@link SCAN_FROM} ids or more, when reading
   * every request in `states` stays `inProportion` to them, one paged query of the request rows in
   * those states (requestRowsIn), and a point read of each id it did not return: a request that
   * moved on to a state not asked for since its index row was read, or a row the query could not
   * decode. Either way each request is its own row's document, as `get` reads it.
   */
  private async requestsNow(
    ids: string[],
    states: RequestState[],
    inProportion: boolean,
  ): Promise<(AccessRequest | undefined)[]> {
    const now =
      ids.length >= this.scanFrom && inProportion
        ? await this.requestRowsIn(states, new Set(ids))
        : new Map<string, AccessRequest>();
    const rest = ids.filter((id) => !now.has(id));
    const read = await mapAtMost(rest, LIST_READS_AT_ONCE, (id) => this.get(id));
    const readById = new Map(rest.map((id, i) => [id, read[i]]));
    return ids.map((id) => now.get(id) ?? readById.get(id));
  }

  /**
   * The requests of `wanted` among the request rows whose `state` is one of `states`: one query
   * of the `r|` keys, page by page, each row decoded as `read` decodes it (and remembered, as a
   * point read is, for `update`). Every row written by any version has `state` next to its
   * document. Only the rows of `wanted` are decoded; one that does not decode is left out here
   * and read alone, so its error is the listing's exactly when a point read's would have been.
   */
  private async requestRowsIn(states: RequestState[], wanted: Set<string>): Promise<Map<string, AccessRequest>> {
    const byState = [...new Set(states)].map((s) => `state eq ${lit(s)}`).join(' or ');
    const keys = new Set([...wanted].map(requestKey));
    const out = new Map<string, AccessRequest>();
    for await (const page of tableRest(this.table).pages({ filter: `${prefixFilter(PK, 'r|')} and (${byState})` })) {
      for (const row of page) {
        if (!keys.has(row.rowKey!)) continue;
        let request: AccessRequest;
        try {
          request = readDoc<AccessRequest>(row);
        } catch {
          continue; // read again alone (requestsNow), where its error surfaces
        }
        if (!wanted.has(request.id)) continue;
        this.remember(request, row.etag, trailOf(row));
        out.set(request.id, request);
      }
    }
    return out;
  }

  async countByRequester(requesterId: string, states: RequestState[], atMost: number): Promise<number> {
    if (states.length === 0 || atMost <= 0) return 0;
    // Index rows only (RowKey), never the request documents; each state stops at the cap.
    const counts = await Promise.all(
      [...new Set(states)].map(async (s) => {
        let n = 0;
        const pages = tableRest(this.table).pages({
          filter: prefixFilter(PK, requesterPrefix(requesterId, s)),
          select: ['RowKey'],
          pageSize: Math.min(atMost, 1000),
        });
        for await (const page of pages) {
          n += page.length;
          if (n >= atMost) break;
        }
        return n;
      }),
    );
    return Math.min(
      atMost,
      counts.reduce((a, b) => a + b, 0),
    );
  }

  async addCardCopy(copy: CardCopy): Promise<void> {
    try {
      await tableRest(this.table).create({
        partitionKey: PK,
        rowKey: cardCopyKey(copy),
        // Wall time plus a counter: insertion order within and (roughly) across instances.
        order: Date.now() * 1000 + (this.order++ % 1000),
        ...docProperties(copy),
      });
    } catch (err) {
      if (statusOf(err) !== 409) throw err; // 409: this activity's copy is already recorded.
    }
  }

  async listCardCopies(requestId: string): Promise<CardCopy[]> {
    const rows = await listAll(this.table, prefixFilter(PK, cardCopyPrefix(requestId)));
    return rows.sort((a, b) => Number(a.order) - Number(b.order)).map((row) => readDoc<CardCopy>(row));
  }

  async ping(): Promise<void> {
    await listTop(this.table, `PartitionKey eq '${PK}'`, 1);
  }

  async close(): Promise<void> {}

  /**
   * The request's row; the last of `trail` is this write's id (see {@link holds}), kept as
   * `writeId` too for older versions, which compare only that.
   */
  private requestRow(request: AccessRequest, trail: string[]): Row {
    return {
      partitionKey: PK,
      rowKey: requestKey(request.id),
      version: request.version,
      state: request.state,
      writeId: trail[trail.length - 1],
      writeIds: trail.join(' '),
      ...docProperties(request),
    };
  }

  private async read(id: string): Promise<{ request: AccessRequest; etag: string; trail: string[] } | undefined> {
    const row = await findEntity(this.table, PK, requestKey(id));
    if (!row) return undefined;
    const request = readDoc<AccessRequest>(row);
    const trail = trailOf(row);
    this.remember(request, row.etag, trail);
    return { request, etag: row.etag, trail };
  }

  private async readKnown(id: string): Promise<KnownRow | undefined> {
    const row = await this.read(id);
    return row && { version: row.request.version, etag: row.etag, fields: indexFields(row.request), trail: row.trail };
  }

  /** Keeps the newest known row of `request` (only what `update` decides on). */
  private remember(request: AccessRequest, etag: string | undefined, trail: string[]): void {
    this.known.remember(request.id, { version: request.version, fields: indexFields(request), trail }, etag);
  }
}
