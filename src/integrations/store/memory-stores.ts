/** In-memory stores (ACRBOT_STORAGE=memory, tests) with the same conditional-write semantics as SQLite. */
import type { AuditEntry, AuditEvent, AuditKey, ChainVerdict } from '../../domain/audit-chain';
import { chainEntry, verifyChain } from '../../domain/audit-chain';
import type { AuditLog, CardCopy, Clock, ListOrder, RequestStore } from '../../domain/ports';
import { VersionConflictError } from '../../domain/ports';
import type { AccessRequest, RequestState } from '../../domain/request';
import { compareCodeUnits } from './code-unit-order';

/** Requests in a Map; documents are copied in and out so callers cannot mutate stored state. */
export class MemoryRequestStore implements RequestStore {
  private readonly requests = new Map<string, string>();
  private readonly cards = new Map<string, CardCopy[]>();

  async create(request: AccessRequest): Promise<void> {
    if (this.requests.has(request.id)) throw new Error(`request ${request.id} already exists`);
    this.requests.set(request.id, JSON.stringify(request));
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const doc = this.requests.get(id);
    return doc ? (JSON.parse(doc) as AccessRequest) : undefined;
  }

  async update(next: AccessRequest): Promise<void> {
    // Check and write with no await in between: the event loop makes this atomic, like SQLite's WHERE version = ?.
    const doc = this.requests.get(next.id);
    const current = doc ? (JSON.parse(doc) as AccessRequest) : undefined;
    if (!current || current.version !== next.version - 1) throw new VersionConflictError(next.id);
    this.requests.set(next.id, JSON.stringify(next));
  }

  async listByState(states: RequestState[], limit = 100, order: ListOrder = 'oldestFirst'): Promise<AccessRequest[]> {
    // slice(0, -1) would be "all but the last": none, as the other stores answer.
    if (limit <= 0) return [];
    const sign = order === 'newestFirst' ? -1 : 1;
    return (
      [...this.requests.values()]
        .map((d) => JSON.parse(d) as AccessRequest)
        .filter((r) => states.includes(r.state))
        // Creation time in `order`, ids ascending within one time in either order: the port's rule,
        // as SQLite's ORDER BY and Tables' keys have it.
        .sort((a, b) => sign * compareCodeUnits(a.createdAt, b.createdAt) || compareCodeUnits(a.id, b.id))
        .slice(0, limit)
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
    if (limit <= 0) return [];
    const c = clusterId.toLowerCase();
    const r = registryId.toLowerCase();
    return (await this.listByState(states, Number.MAX_SAFE_INTEGER, order))
      .filter((x) => x.plan.cluster.id.toLowerCase() === c && x.plan.registry.id.toLowerCase() === r)
      .slice(0, limit);
  }

  async listByRegistry(
    registryId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    if (limit <= 0) return [];
    const r = registryId.toLowerCase();
    return (await this.listByState(states, Number.MAX_SAFE_INTEGER, order))
      .filter((x) => x.plan.registry.id.toLowerCase() === r)
      .slice(0, limit);
  }

  async listByRequester(
    requesterId: string,
    states: RequestState[],
    limit = 100,
    order: ListOrder = 'oldestFirst',
  ): Promise<AccessRequest[]> {
    if (limit <= 0) return [];
    const who = requesterId.toLowerCase();
    return (await this.listByState(states, Number.MAX_SAFE_INTEGER, order))
      .filter((x) => x.requester.objectId.toLowerCase() === who)
      .slice(0, limit);
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
