/** Requests in SQLite with conditional writes on `version` (G8). */
import type { CardCopy, RequestStore } from '../../domain/ports';
import { VersionConflictError } from '../../domain/ports';
import type { AccessRequest, RequestState } from '../../domain/request';
import type { Statement } from 'better-sqlite3';
import { commitGroupOf, type SqliteCommitGroup } from './sqlite-commit-group';
import type { SqliteDatabase } from './sqlite-database';

/** SQLite-backed {@link RequestStore}. */
export class SqliteRequestStore implements RequestStore {
  private readonly insert;
  private readonly select;
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

  async update(next: AccessRequest): Promise<void> {
    const doc = JSON.stringify(next);
    await this.group.write(() => {
      const result = this.conditionalUpdate.run(next.state, next.version, doc, next.id, next.version - 1);
      if (result.changes !== 1) throw new VersionConflictError(next.id);
    });
  }

  async listByState(states: RequestState[], limit = 100): Promise<AccessRequest[]> {
    // A negative LIMIT is no limit in SQLite, and `IN ()` is a syntax error.
    if (states.length === 0 || limit <= 0) return [];
    const marks = states.map(() => '?').join(',');
    const rows = this.prepared(`SELECT doc FROM requests WHERE state IN (${marks}) ORDER BY created_at LIMIT ?`).all(
      ...states,
      limit,
    ) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as AccessRequest);
  }

  // The signature repeats RequestStore.listByTarget's in each of the three stores (the port's shape, not shared logic).
  async listByTarget(
    clusterId: string,
    registryId: string,
    states: RequestState[],
    limit = 100,
  ): Promise<AccessRequest[]> {
    if (states.length === 0 || limit <= 0) return [];
    const marks = states.map(() => '?').join(',');
    // The expressions match the requests_by_target index exactly; INDEXED BY keeps the planner
    // from preferring requests_by_state (a scan of every active request) without statistics.
    const rows = this.prepared(
      `SELECT doc FROM requests INDEXED BY requests_by_target WHERE lower(json_extract(doc, '$.plan.registry.id')) = ? AND lower(json_extract(doc, '$.plan.cluster.id')) = ? AND state IN (${marks}) ORDER BY created_at LIMIT ?`,
    ).all(registryId.toLowerCase(), clusterId.toLowerCase(), ...states, limit) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as AccessRequest);
  }

  async listByRegistry(registryId: string, states: RequestState[], limit = 100): Promise<AccessRequest[]> {
    // A negative LIMIT is no limit in SQLite.
    if (states.length === 0 || limit <= 0) return [];
    const marks = states.map(() => '?').join(',');
    // The registry is the leading expression of requests_by_target: a range of that index.
    const rows = this.prepared(
      `SELECT doc FROM requests INDEXED BY requests_by_target WHERE lower(json_extract(doc, '$.plan.registry.id')) = ? AND state IN (${marks}) ORDER BY created_at LIMIT ?`,
    ).all(registryId.toLowerCase(), ...states, limit) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as AccessRequest);
  }

  async listByRequester(requesterId: string, states: RequestState[], limit = 100): Promise<AccessRequest[]> {
    if (states.length === 0 || limit <= 0) return [];
    // One statement per number of states, prepared once: this runs on every new request.
    const rows = this.byRequester(states.length, 'list').all(requesterId.toLowerCase(), ...states, limit) as {
      doc: string;
    }[];
    return rows.map((r) => JSON.parse(r.doc) as AccessRequest);
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

  private byRequester(stateCount: number, kind: 'list' | 'count'): Statement {
    const marks = Array.from({ length: stateCount }, () => '?').join(',');
    // The expression matches the requests_by_requester index exactly; INDEXED BY keeps the
    // planner from choosing requests_by_state (every pending request) without statistics.
    const query = `FROM requests INDEXED BY requests_by_requester WHERE lower(json_extract(doc, '$.requester.objectId')) = ? AND state IN (${marks})`;
    return this.prepared(
      kind === 'list'
        ? `SELECT doc ${query} ORDER BY created_at LIMIT ?`
        : // Counting stops at the cap; the index alone answers it (no document is read).
          `SELECT count(*) AS n FROM (SELECT 1 ${query} LIMIT ?)`,
    );
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
