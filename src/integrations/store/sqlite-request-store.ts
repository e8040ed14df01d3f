/** Requests in SQLite with conditional writes on `version` (G8). */
import type { CardCopy, ListOrder, RequestStore } from '../../domain/ports';
import { VersionConflictError } from '../../domain/ports';
import type { AccessRequest, RequestState } from '../../domain/request';
import type { Statement } from 'better-sqlite3';
import { commitGroupOf, type SqliteCommitGroup } from './sqlite-commit-group';
import type { SqliteDatabase } from './sqlite-database';
import { compareCodeUnits } from '../../domain/code-unit-order';

/** The expressions of the requests_by_target_state and requests_by_registry_state indexes. */
const REGISTRY_ID = "lower(json_extract(doc, '$.plan.registry.id'))";
const CLUSTER_ID = "lower(json_extract(doc, '$.plan.cluster.id'))";

/** Any character SQLite's lower() leaves as it is while JavaScript may fold it. */
const OUTSIDE_ASCII = /[^\x00-\x7f]/;

/**
 * The condition on `expression` (an index expression) for the ARM id `id`: an equality when the
 * id is ASCII (`exact`: SQLite's lower() and JavaScript fold it alike), else the range of index
 * entries that start with its ASCII part lower-cased, which holds every id JavaScript folds to
 * the same; the caller then compares the ids themselves.
 */
function indexedId(expression: string, id: string): { sql: string; params: string[]; exact: boolean } {
  const outside = OUTSIDE_ASCII.exec(id)?.index;
  if (outside === undefined) return { sql: `${expression} = ?`, params: [id.toLowerCase()], exact: true };
  const start = id.slice(0, outside).toLowerCase();
  // U+10FFFF sorts after every character (BINARY compares UTF-8 bytes): the end of the range.
  return { sql: `${expression} >= ? AND ${expression} < ?`, params: [start, `${start}\u{10FFFF}`], exact: false };
}

/** A listed row: the document, and what the merge of several states' reads orders by. */
interface Row {
  doc: string;
  id: string;
  created_at: string;
}

/**
 * The ORDER BY of a listing in `order`: by creation time, then ids ascending in either order
 * (the port's rule, which Tables' keys and the memory store follow too). The indexes end at
 * created_at, so SQLite sorts only each run of equal times (`USE TEMP B-TREE FOR LAST TERM OF
 * ORDER BY`) and still stops at the limit.
 */
const orderBy = (order: ListOrder) => `ORDER BY created_at ${order === 'newestFirst' ? 'DESC' : 'ASC'}, id ASC`;

/**
 * One requester's rows: the expression matches the requests_by_requester index exactly; INDEXED BY
 * keeps the planner from choosing requests_by_state (every pending request) without statistics.
 */
const REQUESTER_ROWS = `FROM requests INDEXED BY requests_by_requester WHERE lower(json_extract(doc, '$.requester.objectId')) = ?`;

/** SQLite-backed {@link RequestStore}. */
export class SqliteRequestStore implements RequestStore {
  private readonly insert;
  private readonly select;
  private readonly selectNewer;
  private readonly conditionalUpdate;
  private readonly insertCard;
  private readonly selectCards;
  private readonly statements = new Map<string, Statement>();
  private readonly group: SqliteCommitGroup;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly closeWithStore = true,
  ) {
    this.group = commitGroupOf(db);
    this.insert = db.prepare('INSERT INTO requests (id, state, version, created_at, doc) VALUES (?, ?, ?, ?, ?)');
    this.select = db.prepare('SELECT doc FROM requests WHERE id = ?');
    // The version column is written with the document (create, update), so it is the document's.
    this.selectNewer = db.prepare('SELECT doc FROM requests WHERE id = ? AND version > ?');
    // The WHERE on version is the If-Match: a stale writer updates zero rows.
    this.conditionalUpdate = db.prepare(
      'UPDATE requests SET state = ?, version = ?, doc = ? WHERE id = ? AND version = ?',
    );
    this.insertCard = db.prepare(
      'INSERT OR IGNORE INTO card_copies (request_id, activity_id, role, conversation) VALUES (?, ?, ?, ?)',
    );
    this.selectCards = db.prepare(
      'SELECT request_id, activity_id, role, conversation FROM card_copies WHERE request_id = ? ORDER BY rowid',
    );
  }

  async create(request: AccessRequest): Promise<void> {
    const doc = JSON.stringify(request);
    try {
      await this.group.write(() => this.insert.run(request.id, request.state, request.version, request.createdAt, doc));
    } catch (err) {
      // The same sentence as the other stores; SQLite's own is kept as the cause.
      if (
        ['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE'].includes(String((err as { code?: unknown }).code))
      )
        throw new Error(`request ${request.id} already exists`, { cause: err });
      throw err;
    }
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const row = this.select.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as AccessRequest) : undefined;
  }

  /** Parses the document only when the stored version is above `version` (see the port). */
  async getNewer(id: string, version: number): Promise<AccessRequest | undefined> {
    const row = this.selectNewer.get(id, version) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as AccessRequest) : undefined;
  }

  /**
   * One seek per state on the pair's index with the drift checked by SQLite on each row (see the
   * port): no document reaches JavaScript. An id outside ASCII (a range on the index, compared
   * in JavaScript by listByIds) is answered true, so the caller lists as before.
   */
  async anyDriftOnTarget(clusterId: string, registryId: string, states: RequestState[]): Promise<boolean> {
    const registry = indexedId(REGISTRY_ID, registryId);
    const cluster = indexedId(CLUSTER_ID, clusterId);
    if (!registry.exact || !cluster.exact) return true;
    const statement = this.prepared(
      `SELECT 1 FROM requests INDEXED BY requests_by_target_state WHERE ${registry.sql} AND ${cluster.sql} AND state = ? AND json_extract(doc, '$.access.driftDetectedAt') IS NOT NULL LIMIT 1`,
    );
    const asked = [...new Set(states)];
    const drifted = (state: RequestState) => statement.get(...registry.params, ...cluster.params, state) !== undefined;
    // One snapshot, as perState reads several states.
    return asked.length === 1 ? drifted(asked[0]) : this.db.transaction(() => asked.some(drifted))();
  }

  async update(next: AccessRequest): Promise<void> {
    const doc = JSON.stringify(next);
    await this.group.write(() => {
      const result = this.conditionalUpdate.run(next.state, next.version, doc, next.id, next.version - 1);
      if (result.changes !== 1) throw new VersionConflictError(next.id);
    });
  }

  async listByState(states: RequestState[], limit = 100, order: ListOrder = 'oldestFirst'): Promise<AccessRequest[]> {
    if (limit <= 0) return [];
    const statement = this.prepared(
      `SELECT doc, id, created_at FROM requests INDEXED BY requests_by_state WHERE state = ? ${orderBy(order)} LIMIT ?`,
    );
    return this.perState(states, limit, order, (state) => statement.all(state, limit) as Row[]);
  }

  // The signature repeats RequestStore.listByTarget's in each of the three stores (the port's shape, not shared logic).
  async listByTarget(
    clusterId: string,
    registryId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    return this.listByIds(registryId, clusterId, states, limit, order);
  }

  async listByRegistry(
    registryId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    return this.listByIds(registryId, undefined, states, limit, order);
  }

  /**
   * The first `limit` requests in `order` of those `read(state)` returns for each state (each
   * read already cut at `limit` by its index), merged. One seek per state, not `state IN (…)`:
   * with several states SQLite cannot walk one index in created_at order, so it read every row
   * of every state asked (a year of revoked requests) into a temporary B-tree to sort them. The
   * reads run in one read transaction: one snapshot, so a request another process moves between
   * two states meanwhile is in exactly one of them.
   */
  private perState(
    states: RequestState[],
    limit: number,
    order: ListOrder,
    read: (state: RequestState) => Row[],
  ): AccessRequest[] {
    const asked = [...new Set(states)];
    if (asked.length === 0) return [];
    const rows = asked.length === 1 ? read(asked[0]) : this.db.transaction(() => asked.flatMap(read))();
    const sign = order === 'newestFirst' ? -1 : 1;
    if (asked.length > 1)
      rows.sort((a, b) => sign * compareCodeUnits(a.created_at, b.created_at) || compareCodeUnits(a.id, b.id));
    return rows.slice(0, limit).map((r) => JSON.parse(r.doc) as AccessRequest);
  }

  /**
   * Requests on `registryId` (and `clusterId` when given) in `states`, in `order`, ids compared
   * as JavaScript lower-cases them (the memory and Tables stores' rule). The indexes hold
   * SQLite's lower(), which folds A-Z only: an id with a letter outside ASCII (Azure allows them
   * in resource group names: `Équipe`) folded by JavaScript matched no index entry, not even
   * that of the very same id. Such an id is looked up by the range of its ASCII start instead
   * (both folds agree there) and the rows are compared here; ASCII ids, the usual case, are
   * equalities on the index, one seek per state with the limit in SQL.
   */
  private async listByIds(
    registryId: string,
    clusterId: string | undefined,
    states: RequestState[],
    limit: number,
    order: ListOrder,
  ): Promise<AccessRequest[]> {
    if (states.length === 0 || limit <= 0) return [];
    const registry = indexedId(REGISTRY_ID, registryId);
    const cluster = clusterId === undefined ? undefined : indexedId(CLUSTER_ID, clusterId);
    // Only while both are equalities (registry first, the index's order) does SQL decide alone.
    const exact = registry.exact && (cluster?.exact ?? true);
    // After a range on the registry the index cannot seek the cluster: compared below instead.
    const ids = cluster && registry.exact ? [registry, cluster] : [registry];
    // The expressions match the indexes exactly; INDEXED BY keeps the planner from preferring
    // requests_by_state (a scan of every request in the state) without statistics.
    const index = ids.length === 2 ? 'requests_by_target_state' : 'requests_by_registry_state';
    const where = ids.map((c) => c.sql).join(' AND ');
    const params = ids.flatMap((c) => c.params);
    const statement = this.prepared(
      `SELECT doc, id, created_at FROM requests INDEXED BY ${index} WHERE ${where} AND state = ? ${orderBy(order)}${exact ? ' LIMIT ?' : ''}`,
    );
    const found = this.perState(states, exact ? limit : Number.MAX_SAFE_INTEGER, order, (state) =>
      exact ? (statement.all(...params, state, limit) as Row[]) : (statement.all(...params, state) as Row[]),
    );
    if (exact) return found;
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    return found
      .filter(
        (r) => same(r.plan.registry.id, registryId) && (clusterId === undefined || same(r.plan.cluster.id, clusterId)),
      )
      .slice(0, limit);
  }

  async listByRequester(
    requesterId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    if (states.length === 0 || limit <= 0) return [];
    // One seek per state in `order`, each cut at the limit (perState): with `state IN (…)` and an
    // ORDER BY, SQLite sorted every row of the user's states asked (an automation account's year
    // of ended requests) before taking the first. Prepared once per order: this runs on every new request.
    const statement = this.prepared(
      `SELECT doc, id, created_at ${REQUESTER_ROWS} AND state = ? ${orderBy(order)} LIMIT ?`,
    );
    const who = requesterId.toLowerCase();
    return this.perState(states, limit, order, (state) => statement.all(who, state, limit) as Row[]);
  }

  async countByRequester(requesterId: string, states: RequestState[], atMost: number): Promise<number> {
    if (states.length === 0 || atMost <= 0) return 0;
    const row = this.byRequester(states.length, 'count').get(requesterId.toLowerCase(), ...states, atMost) as {
      n: number;
    };
    return row.n;
  }

  async addCardCopy(copy: CardCopy): Promise<void> {
    const conversation = JSON.stringify(copy.conversation);
    await this.group.write(() => this.insertCard.run(copy.requestId, copy.activityId, copy.role, conversation));
  }

  async listCardCopies(requestId: string): Promise<CardCopy[]> {
    const rows = this.selectCards.all(requestId) as {
      request_id: string;
      activity_id: string;
      role: CardCopy['role'];
      conversation: string;
    }[];
    return rows.map((r) => ({
      requestId: r.request_id,
      activityId: r.activity_id,
      role: r.role,
      conversation: JSON.parse(r.conversation),
    }));
  }

  private byRequester(stateCount: number, kind: 'count'): Statement {
    const marks = Array.from({ length: stateCount }, () => '?').join(',');
    // Counting stops at the cap; the index alone answers it (no document is read).
    return this.prepared(`SELECT count(*) AS n FROM (SELECT 1 ${REQUESTER_ROWS} AND state IN (${marks}) LIMIT ?)`);
  }

  /**
   * A statement prepared once per SQL text: the listing queries vary only in how many states
   * they name, so there are a handful, and the hot ones (the pending cap on every new request,
   * overlapping grants while planning) no longer pay SQLite's compiler each call.
   */
  private prepared(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.closeWithStore || !this.db.open) return;
    this.group.flush();
    this.db.close();
  }
}
