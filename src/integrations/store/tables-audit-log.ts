/**
 * The audit log in Azure Table Storage (G11). One partition `audit` holds:
 * - `e|<seq>`: the entry (JSON), seq zero-padded so rows sort in chain order;
 * - `q|<requestId>|<seq>`: an index row per entry with a request id (forRequest);
 * - `head`: the chain head (seq, hash).
 * An append writes the entry, its index row and the new head in one entity-group transaction
 * that is conditional on the head's ETag (or creates the head for the first entry): a
 * concurrent append from another instance makes it fail as a whole (412/409), and it is
 * retried on the new head. Appends in one process are queued so they do not race each other.
 */
import type { TableClient } from '@azure/data-tables';
import type { AuditEntry, AuditEvent, AuditKey, ChainHead, ChainVerdict } from '../../domain/audit-chain';
import { chainEntry, verifyChain } from '../../domain/audit-chain';
import type { AuditLog, Clock } from '../../domain/ports';
import { KeyedSerialiser } from '../../domain/keyed-serialiser';
import {
  backoff,
  docProperties,
  isConflict,
  keyPart,
  listAll,
  pad,
  prefixFilter,
  readDoc,
  statusOf,
} from './tables-client';
import { submitTransaction, type TransactionAction } from './tables-transaction';

const PK = 'audit';
const entryKey = (seq: number) => `e|${pad(seq)}`;
/** Position of the head's write in an append's transaction (its sub-response has the new ETag). */
const HEAD_ACTION = 1;
/** Optimistic retries before an append gives up (and the caller refuses to act, G11). */
const MAX_ATTEMPTS = 50;

/** Azure Tables-backed {@link AuditLog}. */
export class TablesAuditLog implements AuditLog {
  // One key: every append of this process waits for the one before (cross-process: ETags).
  private readonly appends = new KeyedSerialiser();
  private knownHead: { head: ChainHead; etag: string } | undefined;

  constructor(
    private readonly table: TableClient,
    private readonly clock: Clock,
    /** The audit key (MACs on entries); undefined keeps entries unkeyed. */
    private readonly key?: AuditKey,
  ) {}

  append(event: AuditEvent): Promise<AuditEntry> {
    return this.appends.run('append', () => this.appendNow(event));
  }

  private async appendNow(event: AuditEvent): Promise<AuditEntry> {
    for (let attempt = 0; ; attempt++) {
      // The head this process wrote last saves a read; when another instance appended since,
      // its ETag is stale, the batch fails with 412 and the next attempt reads the real head.
      const head = this.knownHead ?? (await this.readHead());
      this.knownHead = undefined;
      const entry = chainEntry(event, head?.head, this.clock.now(), this.key);
      const headRow = { partitionKey: PK, rowKey: 'head', seq: entry.seq, hash: entry.hash };
      const actions: TransactionAction[] = [
        ['create', { partitionKey: PK, rowKey: entryKey(entry.seq), ...docProperties(entry) }],
        head ? ['update', headRow, 'Replace', { etag: head.etag }] : ['create', headRow], // HEAD_ACTION
      ];
      if (entry.requestId)
        actions.push([
          'create',
          { partitionKey: PK, rowKey: `q|${keyPart(entry.requestId)}|${pad(entry.seq)}`, seq: entry.seq },
        ]);
      try {
        const result = await submitTransaction(this.table, actions);
        // Sub-responses come in the order of the actions; an update's carries no row key (only
        // a create's does), so the head's is found by position, not by `rowKey`.
        const etag = result.subResponses[HEAD_ACTION]?.etag;
        if (etag) this.knownHead = { head: { seq: entry.seq, hash: entry.hash }, etag };
        return entry;
      } catch (err) {
        if (!isConflict(err) || attempt + 1 >= MAX_ATTEMPTS)
          throw new Error('the audit entry could not be written', { cause: err });
        await backoff(attempt);
      }
    }
  }

  async latest(limit: number): Promise<AuditEntry[]> {
    const head = await this.readHead();
    if (!head || limit <= 0) return [];
    const from = Math.max(1, head.head.seq - limit + 1);
    const rows = await listAll(
      this.table,
      `PartitionKey eq '${PK}' and RowKey ge '${entryKey(from)}' and RowKey le '${entryKey(head.head.seq)}'`,
    );
    return rows.map((r) => readDoc<AuditEntry>(r));
  }

  async forRequest(requestId: string): Promise<AuditEntry[]> {
    const index = await listAll(this.table, prefixFilter(PK, `q|${keyPart(requestId)}|`));
    const entries = await Promise.all(
      index.map(async (row) => readDoc<AuditEntry>(await this.table.getEntity(PK, entryKey(Number(row.seq))))),
    );
    return entries.filter((e) => e.requestId === requestId);
  }

  /**
   * Reads the head first, then every entry up to it in row-key order: appends landing during
   * the read are past the head and not looked at, so they cannot look like tampering.
   */
  async verify(): Promise<ChainVerdict> {
    const head = (await this.readHead())?.head;
    if (!head) {
      const any = await listAll(this.table, prefixFilter(PK, 'e|'), ['RowKey']);
      return any.length
        ? { intact: false, count: 0, brokenAtSeq: 1, problem: 'entries exist but the chain head is missing' }
        : { intact: true, count: 0 };
    }
    const rows = await listAll(
      this.table,
      `PartitionKey eq '${PK}' and RowKey ge '${entryKey(1)}' and RowKey le '${entryKey(head.seq)}'`,
    );
    const entries: AuditEntry[] = [];
    for (const row of rows) {
      const rowSeq = Number(row.rowKey!.slice(2));
      let entry: AuditEntry;
      try {
        entry = readDoc<AuditEntry>(row);
      } catch {
        return early(entries, this.key, {
          brokenAtSeq: rowSeq,
          problem: 'the entry is not valid JSON (it was modified)',
        });
      }
      if (entry.seq !== rowSeq)
        return early(entries, this.key, {
          brokenAtSeq: rowSeq,
          problem: 'the entry stored at this position belongs elsewhere (entries were moved)',
        });
      entries.push(entry);
    }
    return verifyChain(entries, head, this.key);
  }

  /** Every entry in seq order, read page by page (export). Throws on a row that is not JSON, naming its seq. */
  async *entries(): AsyncGenerator<AuditEntry> {
    for await (const row of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: prefixFilter(PK, 'e|') },
    })) {
      try {
        yield readDoc<AuditEntry>(row);
      } catch (err) {
        throw new Error(`the entry at seq ${Number(row.rowKey!.slice(2))} is not valid JSON`, { cause: err });
      }
    }
  }

  /** The entry at `seq` (anchor checks). */
  async entryAt(seq: number): Promise<AuditEntry | undefined> {
    try {
      return readDoc<AuditEntry>(await this.table.getEntity(PK, entryKey(seq)));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Whether the audit table exists (a review tool must not create it). */
  async exists(): Promise<boolean> {
    try {
      await this.table.getEntity(PK, 'head');
      return true;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      return (
        (err as { code?: string }).code !== 'TableNotFound' && !/TableNotFound/.test(String((err as Error).message))
      );
    }
  }

  private async readHead(): Promise<{ head: ChainHead; etag: string } | undefined> {
    try {
      const row = await this.table.getEntity<{ seq: number; hash: string }>(PK, 'head');
      return { head: { seq: Number(row.seq), hash: String(row.hash) }, etag: row.etag };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }
}

/** A verdict for a row that cannot be an entry: the chain before it must still be checked first. */
function early(
  before: AuditEntry[],
  key: AuditKey | undefined,
  problem: { brokenAtSeq: number; problem: string },
): ChainVerdict {
  const prefix = verifyChain(before, undefined, key);
  if (!prefix.intact) return prefix;
  return { intact: false, count: before.length, ...problem };
}
