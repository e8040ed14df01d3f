/** In-memory stores (ACRBOT_STORAGE=memory, tests) with the same conditional-write semantics as SQLite. */
import type { AuditEntry, AuditEvent, AuditKey, ChainVerdict } from '../../domain/audit-chain';
import { chainEntry, verifyChain } from '../../domain/audit-chain';
import type { AuditLog, CardCopy, Clock, ListOrder, RequestStore } from '../../domain/ports';
import { VersionConflictError } from '../../domain/ports';
import type { AccessRequest, RequestState } from '../../domain/request';
import { compareCodeUnits } from '../../domain/code-unit-order';

/**
 * What a listing filters and sorts a stored request on, read from its stored document once when it
 * is written: a listing parses only the documents it returns, not every stored one (a tab's cold
 * read listed thousands in the sandbox and parsed them all, docs/performance.md, round fifty-one).
 */
interface Listed {
  doc: string;
  id: string;
  state: RequestState;
  createdAt: string;
  /** Lower-cased, as the listings by target, registry and requester compare them. */
  cluster: string | undefined;
  registry: string | undefined;
  requester: string | undefined;
}

function listed(doc: string): Listed {
  // From the document as stored (parsed back), not the caller's object: what a listing sorts on
  // is what a reader of the document gets.
  const r = JSON.parse(doc) as AccessRequest;
  return {
    doc,
    id: r.id,
    state: r.state,
    createdAt: r.createdAt,
    cluster: r.plan?.cluster?.id?.toLowerCase(),
    registry: r.plan?.registry?.id?.toLowerCase(),
    requester: r.requester?.objectId?.toLowerCase(),
  };
}

/** Requests in a Map; documents are copied in and out so callers cannot mutate stored state. */
export class MemoryRequestStore implements RequestStore {
  private readonly requests = new Map<string, Listed>();
  private readonly cards = new Map<string, CardCopy[]>();

  async create(request: AccessRequest): Promise<void> {
    if (this.requests.has(request.id)) throw new Error(`request ${request.id} already exists`);
    this.requests.set(request.id, listed(JSON.stringify(request)));
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const stored = this.requests.get(id);
    return stored ? (JSON.parse(stored.doc) as AccessRequest) : undefined;
  }

  async update(next: AccessRequest): Promise<void> {
    // Check and write with no await in between: the event loop makes this atomic, like SQLite's WHERE version = ?.
    const stored = this.requests.get(next.id);
    const current = stored ? (JSON.parse(stored.doc) as AccessRequest) : undefined;
    if (!current || current.version !== next.version - 1) throw new VersionConflictError(next.id);
    this.requests.set(next.id, listed(JSON.stringify(next)));
  }

  async listByState(states: RequestState[], limit = 100, order: ListOrder = 'oldestFirst'): Promise<AccessRequest[]> {
    return this.select(states, limit, order, () => true);
  }

  /**
   * The stored requests in `states` that `keep` keeps, in `order`, at most `limit`: filtered and
   * sorted on what was read at write time, and only those returned parsed (each a fresh copy).
   */
  private select(
    states: RequestState[],
    limit: number,
    order: ListOrder,
    keep: (r: Listed) => boolean,
  ): AccessRequest[] {
    // slice(0, -1) would be "all but the last": none, as the other stores answer.
    if (limit <= 0) return [];
    const sign = order === 'newestFirst' ? -1 : 1;
    return (
      [...this.requests.values()]
        .filter((r) => states.includes(r.state) && keep(r))
        // Creation time in `order`, ids ascending within one time in either order: the port's rule,
        // as SQLite's ORDER BY and Tables' keys have it.
        .sort((a, b) => sign * compareCodeUnits(a.createdAt, b.createdAt) || compareCodeUnits(a.id, b.id))
        .slice(0, limit)
        .map((r) => JSON.parse(r.doc) as AccessRequest)
    );
  }

  // The signature repeats RequestStore.listByTarget's in each of the three stores (the port's shape, not shared logic).
  async listByTarget(
    clusterId: string,
    registryId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    const c = clusterId.toLowerCase();
    const r = registryId.toLowerCase();
    return this.select(states, limit, order, (x) => x.cluster === c && x.registry === r);
  }

  async listByRegistry(
    registryId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    const r = registryId.toLowerCase();
    return this.select(states, limit, order, (x) => x.registry === r);
  }

  async listByRequester(
    requesterId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    const who = requesterId.toLowerCase();
    return this.select(states, limit, order, (x) => x.requester === who);
  }

  async countByRequester(requesterId: string, states: RequestState[], atMost: number): Promise<number> {
    return (await this.listByRequester(requesterId, states, atMost)).length;
  }

  async addCardCopy(copy: CardCopy): Promise<void> {
    const list = this.cards.get(copy.requestId) ?? [];
    if (!list.some((c) => c.activityId === copy.activityId)) list.push(structuredClone(copy));
    this.cards.set(copy.requestId, list);
  }

  async listCardCopies(requestId: string): Promise<CardCopy[]> {
    return structuredClone(this.cards.get(requestId) ?? []);
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Audit entries in an array; appends are serialised by the event loop. */
export class MemoryAuditLog implements AuditLog {
  private readonly entries: AuditEntry[] = [];
  /** Seq of the entry appended under each idempotency key. */
  private readonly byKey = new Map<string, number>();
  constructor(
    private readonly clock: Clock,
    /** The audit key (MACs on entries); undefined keeps entries unkeyed. */
    private readonly key?: AuditKey,
  ) {}

  async append(event: AuditEvent): Promise<AuditEntry> {
    // Looked up and recorded with no await in between: atomic, as the event loop runs it.
    const stored = event.idempotencyKey === undefined ? undefined : this.byKey.get(event.idempotencyKey);
    if (stored !== undefined) return structuredClone(this.entries[stored - 1]);
    const entry = chainEntry(event, this.entries[this.entries.length - 1], this.clock.now(), this.key);
    // Copied before it is stored: an entry that cannot be copied (a function or symbol among its
    // values) fails its append with nothing kept, as SQLite's and Tables' transactions do.
    const copy = structuredClone(entry);
    this.entries.push(entry);
    if (entry.idempotencyKey !== undefined) this.byKey.set(entry.idempotencyKey, entry.seq);
    return copy;
  }

  async latest(limit: number): Promise<AuditEntry[]> {
    return limit > 0 ? structuredClone(this.entries.slice(-limit)) : [];
  }

  async forRequest(requestId: string): Promise<AuditEntry[]> {
    return structuredClone(this.entries.filter((e) => e.requestId === requestId));
  }

  /** The entry at `seq` (anchor checks). */
  async entryAt(seq: number): Promise<AuditEntry | undefined> {
    const e = this.entries[seq - 1];
    return e ? structuredClone(e) : undefined;
  }

  async verify(): Promise<ChainVerdict> {
    const head = this.entries[this.entries.length - 1];
    return verifyChain(this.entries, head ? { seq: head.seq, hash: head.hash } : undefined, this.key);
  }
}
