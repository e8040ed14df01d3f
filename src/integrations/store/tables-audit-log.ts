/**
 * The audit log in Azure Table Storage (G11). One partition `audit` holds:
 * - `e|<seq>`: the entry (JSON), seq zero-padded so rows sort in chain order;
 * - `q|<requestId>|<seq>`: an index row per entry with a request id (forRequest);
 * - `k|<idempotencyKey>`: the seq of the entry appended under that key, for appends that carry one;
 * - `head`: the chain head (seq, hash).
 * The head and entry rows also carry the `claim` of the transaction that wrote them (a random id,
 * outside the hashed entry), which tells an append whose answer was lost its own write.
 * An append writes the entry, its index and key rows and the new head in one entity-group transaction
 * that is conditional on the head's ETag (or creates the head for the first entry): a
 * concurrent append from another instance makes it fail as a whole (412/409), and it is
 * retried on the new head. Appends in one process are queued so they do not race each other,
 * and the appends that queued up while a transaction was in flight are written together in the
 * next one (entries chained in call order, their index rows, the head moved once to the last):
 * the same rows, hashes and all-or-nothing conditional write as one transaction per entry, with
 * fewer round trips when many flows audit at once (docs/storage.md). A key row is a create, so
 * an append under a key already in the log fails its transaction (409) and, once the key row
 * is read, returns the entry stored under it instead.
 */
import { randomUUID } from 'node:crypto';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type {
  AuditEntry,
  AuditEvent,
  AuditKey,
  BrokenVerdict,
  ChainHead,
  ChainVerdict,
  IntactVerdict,
} from '../../domain/audit-chain';
import { chainEntry, storedUnderKey, verifyChain } from '../../domain/audit-chain';
import type { AuditLog, Clock } from '../../domain/ports';
import { KeyedSerialiser } from '../../domain/keyed-serialiser';
import { mapAtMost } from '../../domain/bounded-map';
import { headMissing } from './audit-head-missing';
import {
  backoff,
  docProperties,
  findEntity,
  isConflict,
  keyPart,
  listAll,
  pad,
  prefixFilter,
  readDoc,
  refusedAsSuch,
  statusOf,
} from './tables-client';
import { LIST_READS_AT_ONCE } from './tables-request-store';
import { tableRest } from './tables-rest';
import { submitTransaction, type TransactionAction } from './tables-transaction';

const PK = 'audit';
const entryKey = (seq: number) => `e|${pad(seq)}`;
const idempotencyRowKey = (key: string) => `k|${keyPart(key)}`;
/** Position of the head's write in an append's transaction (its sub-response has the new ETag). */
const HEAD_ACTION = 0;
/** Optimistic retries before an append gives up (and the caller refuses to act, G11). */
const MAX_ATTEMPTS = 50;
/** Entries per transaction: three actions each at most (entry, index and key rows), plus the head, under the service's 100. */
const GROUP_MAX_ENTRIES = 32;
/** Characters of queued events per transaction (estimated): far under the service's 4 MiB body. */
const GROUP_MAX_CHARS = 1_000_000;

/**
 * What a transaction that may have been stored turned out to be: `applied` (ours), or per event
 * the entry an earlier append stored under its key (undefined: not there, or no key).
 */
type OwnOrKeyed = 'applied' | ({ entry: AuditEntry | undefined } | undefined)[];

/**
 * The head row as read or written: the chain head, its ETag, and the claim of the transaction
 * that wrote it (none on a head written by an older version).
 */
interface StoredHead {
  head: ChainHead;
  etag: string;
  claim?: string;
}

/** An append waiting for its transaction. */
interface PendingAppend {
  event: AuditEvent;
  resolve: (entry: AuditEntry) => void;
  reject: (err: unknown) => void;
}

/** Azure Tables-backed {@link AuditLog}. */
export class TablesAuditLog implements AuditLog {
  // One key: every commit of this process waits for the one before (cross-process: ETags).
  private readonly appends = new KeyedSerialiser();
  private readonly pending: PendingAppend[] = [];
  private knownHead: StoredHead | undefined;

  constructor(
    private readonly table: TableClient,
    private readonly clock: Clock,
    /** The audit key (MACs on entries); undefined keeps entries unkeyed. */
    private readonly key?: AuditKey,
  ) {}

  append(event: AuditEvent): Promise<AuditEntry> {
    return new Promise<AuditEntry>((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      // One queued commit per append; each commits whatever is pending when its turn comes, so
      // appends made while a transaction is in flight share the next one, and later commits
      // find nothing left. Every append is therefore committed (or failed) by some commit.
      void this.appends.run('append', () => this.commitPending());
    });
  }

  /** Commits the oldest pending appends in one transaction; never rejects (each append gets its outcome). */
  private async commitPending(): Promise<void> {
    const group = this.takeGroup();
    if (group.length === 0) return;
    const progress = { sent: false };
    try {
      const entries = await this.commit(
        group.map((p) => p.event),
        progress,
      );
      group.forEach((p, i) => p.resolve(entries[i]));
    } catch (err) {
      if (group.length === 1 || (progress.sent && !refusedAsAWhole(err))) {
        for (const p of group) p.reject(err);
        return;
      }
      // Nothing of it was written (an entry could not be made into a row, or the service refused
      // the transaction itself): one by one, so one bad entry fails only its own append.
      for (const p of group) await this.commit([p.event]).then(([entry]) => p.resolve(entry), p.reject);
    }
  }

  /** The oldest pending appends that fit one transaction (at least one). */
  private takeGroup(): PendingAppend[] {
    if (this.pending.length <= 1) return this.pending.splice(0);
    let chars = 0;
    let n = 0;
    const keys = new Set<string>();
    while (n < this.pending.length && n < GROUP_MAX_ENTRIES) {
      const { event } = this.pending[n];
      chars += JSON.stringify(event).length;
      if (n > 0 && chars > GROUP_MAX_CHARS) break;
      // A second append under a key goes in the next transaction, where the first one's key row
      // answers it (one transaction creating one key row twice would fail as a whole).
      if (event.idempotencyKey !== undefined) {
        if (keys.has(event.idempotencyKey)) break;
        keys.add(event.idempotencyKey);
      }
      n++;
    }
    return this.pending.splice(0, n);
  }

  /**
   * Appends `events` in order in one transaction conditional on the head; retried on a new head.
   * An event whose idempotency key is already in the log is not appended again: its stored
   * entry is returned in its place.
   */
  private async commit(events: AuditEvent[], progress = { sent: false }): Promise<AuditEntry[]> {
    // Entries found already stored under their event's key, by position in `events`.
    const stored: (AuditEntry | undefined)[] = events.map(() => undefined);
    for (let attempt = 0; ; attempt++) {
      const todo = events.flatMap((_, i) => (stored[i] ? [] : [i]));
      // The head this process wrote last saves a read; when another instance appended since,
      // its ETag is stale, the batch fails with 412 and the next attempt reads the real head.
      const head = this.knownHead ?? (await this.readHead());
      this.knownHead = undefined;
      const at = this.clock.now();
      // This attempt's transaction, on each row it writes: see `applied`.
      const claim = randomUUID();
      const entries: AuditEntry[] = [];
      const rows: TransactionAction[] = [];
      let previous = head?.head;
      for (const i of todo) {
        const entry = chainEntry(events[i], previous, at, this.key);
        rows.push(['create', { partitionKey: PK, rowKey: entryKey(entry.seq), ...docProperties(entry), claim }]);
        if (entry.requestId)
          rows.push([
            'create',
            { partitionKey: PK, rowKey: `q|${keyPart(entry.requestId)}|${pad(entry.seq)}`, seq: entry.seq },
          ]);
        // A create: if the key is in the log already, the whole transaction fails (409).
        if (entry.idempotencyKey !== undefined)
          rows.push(['create', { partitionKey: PK, rowKey: idempotencyRowKey(entry.idempotencyKey), seq: entry.seq }]);
        entries.push(entry);
        previous = { seq: entry.seq, hash: entry.hash };
      }
      const headRow = { partitionKey: PK, rowKey: 'head', seq: previous!.seq, hash: previous!.hash, claim };
      const actions: TransactionAction[] = [
        head ? ['update', headRow, 'Replace', { etag: head.etag }] : ['create', headRow], // HEAD_ACTION
        ...rows,
      ];
      try {
        progress.sent = true;
        const result = await submitTransaction(this.table, actions);
        // Sub-responses come in the order of the actions; an update's carries no row key (only
        // a create's does), so the head's is found by position, not by `rowKey`.
        const etag = result.subResponses[HEAD_ACTION]?.etag;
        if (etag) this.knownHead = { head: previous!, etag, claim };
        return merge(stored, entries);
      } catch (err) {
        // Refused as such (400, 413, …): nothing of it was written.
        if (refusedAsSuch(err)) throw new Error('the audit entry could not be written', { cause: err });
        // A lost race (409/412), or no definite answer (a 5xx or timeout after the SDK's
        // retries, a reset): either may come after the service applied this very transaction.
        const lostRace = isConflict(err);
        let found: OwnOrKeyed;
        try {
          found = await this.ownOrKeyed(
            previous!,
            claim,
            todo.map((i) => events[i].idempotencyKey),
          );
        } catch {
          // Nothing tells whether it was stored: the caller is told it failed (a retry under
          // the same key is safe, it finds the key row). The cause stays the transaction's
          // failure, which decides whether a group is retried one by one (commitPending).
          throw new Error('the audit entry could not be written, nor read back', { cause: err });
        }
        if (found === 'applied') return merge(stored, entries);
        todo.forEach((i, k) => {
          if (found[k]) stored[i] = storedUnderKey(found[k]!.entry, events[i].idempotencyKey!);
        });
        if (stored.every(Boolean)) return stored as AuditEntry[];
        if (!lostRace || attempt + 1 >= MAX_ATTEMPTS)
          throw new Error('the audit entry could not be written', { cause: err });
        // A key found explains the refusal (no race to back off from): the rest go at once.
        if (!found.some(Boolean)) await backoff(attempt);
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
    // A row keyed between two entries' keys (`e|000000000002 `) is no entry acrbot wrote (verify names it).
    return rows.filter((r) => entrySeq(r.rowKey!) !== undefined).map((r) => readDoc<AuditEntry>(r));
  }

  async forRequest(requestId: string): Promise<AuditEntry[]> {
    const index = await listAll(this.table, prefixFilter(PK, `q|${keyPart(requestId)}|`));
    // A row that names no entry, or another request's, was not written by acrbot (verify says
    // so): it is passed over, so it cannot hide the request's other entries behind an error.
    const seqs = index.map((row) => Number(row.seq)).filter((seq) => Number.isSafeInteger(seq) && seq > 0);
    // A few at a time, as the request store reads a listing's requests: a request's trail can
    // hold thousands of entries, and all at once they would invite throttling of the partition
    // every other audit read and append of this instance shares.
    const entries = await mapAtMost(seqs, LIST_READS_AT_ONCE, (seq) => this.entryAt(seq));
    return entries.filter((e): e is AuditEntry => e?.requestId === requestId);
  }

  /**
   * Reads the head first, then every row of the entries' key range (`e|`) in row-key order: the
   * entries up to the head are the chain; appends landing during the read are past the head and
   * only checked as below, so they cannot look like tampering. A row whose key is not the key
   * acrbot writes for a seq (`e|` and the seq from 1 in 12 digits: `e|zzz`, `e|1`,
   * `e|000000000000`, a trailing space) was not written by acrbot and is reported with its key:
   * reads that take a seq from a key (`Number`) would otherwise place it in the chain or past
   * every check, and export must show no row verify did not check. The index rows (`q|`, `k|`)
   * are listed after the head too, alongside the entries: acrbot writes an entry's index rows in
   * its transaction, so those of every entry up to the head are all there, and each must match
   * the (hashed, MAC'd) entry both ways — see {@link indexProblems}. Then what lies past that
   * head: acrbot writes an entry, its index rows and the head that names the entry in one
   * transaction, so an entry or index row naming a seq still past the head read after listing
   * them was not written by acrbot (an entry there would also block every later append at its
   * seq). One between the two heads is an append that landed meanwhile, left to the next verify,
   * as its entry is.
   */
  async verify(): Promise<ChainVerdict> {
    const head = (await this.readHead())?.head;
    // Both awaited, whatever either's outcome, so no read outlives verify.
    const [entryRows, index] = await Promise.all([
      settled(listAll(this.table, prefixFilter(PK, 'e|'))),
      settled(this.indexRows()),
    ]);
    if ('err' in entryRows) throw entryRows.err;
    const rows = sortEntryRows(entryRows.value, head?.seq ?? 0);
    // The first append writes its entry and the head together, and may have landed since the
    // head was read: then its entry is past the (absent) head read first, left to pastHead.
    if (!head && rows.past.length > 0 && !(await this.readHead())) return this.headless(entryRows.value);
    const verdict = await this.verifyEntries(head, rows);
    if (!verdict.intact) return verdict;
    if ('err' in index) throw index.err;
    // The chain verified against the head, so entries[i] is the entry at seq i + 1, up to head.seq.
    const problems = indexProblems(verdict.entries, index.value);
    for (const rowKey of rows.foreign)
      problems.push({
        brokenAtSeq: 0,
        problem: `the row ${shownKey(rowKey)} is among the entries but its key is no entry's (acrbot keys an entry e| and its seq from 1 in 12 digits; this one was added or its key altered)`,
      });
    problems.push(...(await this.pastHead(head?.seq ?? 0, rows.past, index.value)));
    if (problems.length === 0) return verdict.verdict;
    // The lowest seq first, as the chain check names the first entry that breaks (stable: ties keep their order).
    const [first] = problems.sort((a, b) => a.brokenAtSeq - b.brokenAtSeq);
    return { intact: false, count: verdict.verdict.count, ...first };
  }

  /** The chain up to `head` (read first): a break, or the intact verdict with the entries it read. */
  private async verifyEntries(
    head: ChainHead | undefined,
    { chain }: EntryRows,
  ): Promise<BrokenVerdict | { intact: true; verdict: IntactVerdict; entries: AuditEntry[] }> {
    const entries: AuditEntry[] = [];
    for (const { seq: rowSeq, row } of chain) {
      let entry: AuditEntry;
      try {
        entry = readDoc<AuditEntry>(row);
      } catch {
        return early(entries, this.key, {
          brokenAtSeq: rowSeq,
          problem: 'the entry is not valid JSON (it was modified)',
        });
      }
      if (entry === null || typeof entry !== 'object')
        return early(entries, this.key, {
          brokenAtSeq: rowSeq,
          problem: 'the stored entry is not an audit entry (it was modified)',
        });
      if (entry.seq !== rowSeq)
        return early(entries, this.key, {
          brokenAtSeq: rowSeq,
          problem: 'the entry stored at this position belongs elsewhere (entries were moved)',
        });
      entries.push(entry);
    }
    const verdict = verifyChain(entries, head, this.key);
    return verdict.intact ? { intact: true, verdict, entries } : verdict;
  }

  /**
   * Entries, and no head even when read again: the entries are checked as a chain first (a break
   * among them is named, as SQLite names it), then the missing head is (see {@link headMissing}).
   */
  private async headless(rows: TableEntityResult<Record<string, unknown>>[]): Promise<ChainVerdict> {
    const verdict = await this.verifyEntries(undefined, sortEntryRows(rows, Number.MAX_SAFE_INTEGER));
    return verdict.intact ? headMissing(verdict.verdict.count) : verdict;
  }

  /** Every `q|` and `k|` row, as verify judges them: its key, and the seq it names as readers take it (`Number`). */
  private async indexRows(): Promise<IndexRow[]> {
    const [requests, keys] = await Promise.all(
      ['q|', 'k|'].map((prefix) => listAll(this.table, prefixFilter(PK, prefix), ['RowKey', 'seq'])),
    );
    return [...requests, ...keys].map((row) => ({ rowKey: row.rowKey!, seq: Number(row.seq) }));
  }

  /**
   * Entries (`past`, their seqs in order) and index rows past `seq` (the head verify read first)
   * that no head names: read after the index rows and the entries were listed, the head then
   * names every seq acrbot had written by then.
   */
  private async pastHead(seq: number, past: number[], index: IndexRow[]): Promise<Problem[]> {
    // Only rows naming a whole seq: one that names none is reported by indexProblems.
    const pastIndex = index.filter((row) => isSeq(row.seq) && row.seq > seq);
    if (past.length === 0 && pastIndex.length === 0) return [];
    const now = (await this.readHead())?.head.seq ?? 0;
    const problems: Problem[] = [];
    const entry = past.find((rowSeq) => rowSeq > now);
    if (entry !== undefined)
      problems.push({
        brokenAtSeq: entry,
        problem:
          'an entry exists past the chain head (acrbot writes an entry and its head together; this one was added)',
      });
    for (const row of pastIndex)
      if (row.seq > now)
        problems.push({
          brokenAtSeq: row.seq,
          problem: `${indexName(row)} names an entry past the chain head (acrbot writes index rows with their entry and its head; this one was added)`,
        });
    return problems;
  }

  /**
   * The chain's entries, seq 1 to the head read first, in order, read page by page (export):
   * only rows verify checks as the chain, so an export never shows an entry verify did not.
   * Throws, naming the row, on one that does not belong there: a row keyed as no entry is (see
   * {@link verify}), an entry missing or stored at another seq's key, one that is not JSON, or an
   * entry still past the head read again at the end. Entries appended while it reads are past
   * the head read first and left out, as from verify (an export is of the chain at that head).
   * Throwing, not skipping: the export is the trail handed on, and one that quietly leaves rows
   * out of a table someone wrote to would read as complete; the error tells the operator to
   * run verify, which names the row.
   */
  async *entries(): AsyncGenerator<AuditEntry> {
    const head = (await this.readHead())?.head.seq ?? 0;
    let next = 1;
    const past: number[] = [];
    for await (const page of tableRest(this.table).pages({ filter: prefixFilter(PK, 'e|') })) {
      for (const row of page) {
        const seq = entrySeq(row.rowKey!);
        if (seq === undefined)
          throw new AuditRowError(
            `the row ${shownKey(row.rowKey!)} is among the entries but its key is no entry's (it was added or its key altered)`,
          );
        if (seq > head) {
          past.push(seq);
          continue;
        }
        if (seq !== next) throw new AuditRowError(`the entry at seq ${next} is missing`);
        let entry: AuditEntry;
        try {
          entry = readDoc<AuditEntry>(row);
        } catch (err) {
          throw new AuditRowError(`the entry at seq ${seq} is not valid JSON`, { cause: err });
        }
        if (entry === null || typeof entry !== 'object' || entry.seq !== seq)
          throw new AuditRowError(
            `the row of the entry at seq ${seq} holds no audit entry of that seq (it was modified or moved)`,
          );
        yield entry;
        next++;
      }
    }
    if (next <= head) throw new AuditRowError(`the entry at seq ${next} is missing`);
    if (past.length === 0) return;
    // As verify's pastHead: acrbot writes an entry with the head that names it, so one the head
    // read after listing it does not name was added.
    const now = (await this.readHead())?.head.seq ?? 0;
    const added = past.find((seq) => seq > now);
    if (added !== undefined)
      throw new AuditRowError(
        `an entry exists past the chain head, at seq ${added} (acrbot writes an entry and its head together)`,
      );
  }

  /** The entry at `seq` (anchor checks). */
  async entryAt(seq: number): Promise<AuditEntry | undefined> {
    try {
      return readDoc<AuditEntry>(await tableRest(this.table).get(PK, entryKey(seq)));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Whether the audit table exists (a review tool must not create it). */
  async exists(): Promise<boolean> {
    try {
      await tableRest(this.table).get(PK, 'head');
      return true;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      return (
        (err as { code?: string }).code !== 'TableNotFound' && !/TableNotFound/.test(String((err as Error).message))
      );
    }
  }

  /**
   * After a transaction that may or may not have been stored (refused as a lost race, or no
   * definite answer): `applied` when it was (our own write, see {@link applied}); else, for each
   * of its `keys`, the stored entry its key row names (an earlier append under that key: a
   * retried write whose first attempt was stored, a retry job run twice), undefined where
   * there is none. The head is read first and kept for the next attempt.
   */
  private async ownOrKeyed(last: ChainHead, claim: string, keys: (string | undefined)[]): Promise<OwnOrKeyed> {
    this.knownHead = await this.readHead();
    if (await this.applied(last, claim, this.knownHead)) return 'applied';
    return Promise.all(
      keys.map(async (key) => {
        if (key === undefined) return undefined;
        const row = await findEntity(this.table, PK, idempotencyRowKey(key));
        // The key row and its entry are written in one transaction, so a key row names an entry.
        return row ? { entry: await this.entryAt(Number(row.seq)) } : undefined;
      }),
    );
  }

  /**
   * Whether a transaction refused as a lost race, or left without a definite answer, was in
   * fact written: one whose answer was lost (a 500 OperationTimedOut, a reset after the service
   * applied it) is resent by the SDK's retry policy and then refused, because its own write
   * moved the head; or the retries run out on 5xx answers after the first was applied.
   * Retrying or failing it would append the same events twice, in a chain that still verifies.
   * Its `claim` (random, on the head and every entry row it wrote) says so: on the head while
   * the head is still at its last entry, else on that entry's row. Not the entry's hash: two
   * instances appending equal events (one user's double click refused on both) on one head in
   * one millisecond compute the same hash, and the one whose transaction lost took the other's
   * entry for its own, so one of the two events was never written though both were told it was.
   */
  private async applied(last: ChainHead, claim: string, head: StoredHead | undefined): Promise<boolean> {
    if (!head || head.head.seq < last.seq) return false;
    if (head.head.seq === last.seq) return head.claim === claim;
    return (await findEntity(this.table, PK, entryKey(last.seq)))?.claim === claim;
  }

  private async readHead(): Promise<StoredHead | undefined> {
    try {
      const row = await tableRest(this.table).get(PK, 'head');
      const head = { head: { seq: Number(row.seq), hash: String(row.hash) }, etag: row.etag };
      return typeof row.claim === 'string' ? { ...head, claim: row.claim } : head;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }
}

/**
 * True when the service refused a transaction as such (a 4xx other than a lost race: 400 for an
 * entity it will not store, 413 for a body too large), so none of it was written and its entries
 * can be tried again one by one. Anything else (no answer, 5xx) may or may not have been
 * written, so it is reported to every append of the transaction, as for a single one.
 */
function refusedAsAWhole(err: unknown): boolean {
  return refusedAsSuch((err as { cause?: unknown }).cause);
}

/** `entries` (one transaction's, in order) in the places `stored` leaves empty. */
function merge(stored: (AuditEntry | undefined)[], entries: AuditEntry[]): AuditEntry[] {
  let next = 0;
  return stored.map((entry) => entry ?? entries[next++]);
}

/**
 * A row of the audit table that is not what acrbot wrote there (export): the log was tampered
 * with, unlike a failure to read the table, which says nothing about the log.
 */
export class AuditRowError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditRowError';
  }
}

/** A promise's value or its failure, so that both of two reads are awaited whatever the other's outcome. */
function settled<T>(promise: Promise<T>): Promise<{ value: T } | { err: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
}

/** The seq whose entry acrbot keys `rowKey` (`e|` and the seq from 1 zero-padded); undefined for any other key. */
function entrySeq(rowKey: string): number | undefined {
  const digits = /^e\|(\d+)$/.exec(rowKey)?.[1];
  if (digits === undefined) return undefined;
  const seq = Number(digits);
  return isSeq(seq) && entryKey(seq) === rowKey ? seq : undefined;
}

/** The rows of the entries' key range as verify reads them against the head it read first. */
interface EntryRows {
  /** Rows keyed as the entries at seq 1 to the head, in key (seq) order. */
  chain: { seq: number; row: TableEntityResult<Record<string, unknown>> }[];
  /** Seqs of rows keyed as entries past that head, in order. */
  past: number[];
  /** Keys of the rows keyed as no entry is. */
  foreign: string[];
}

function sortEntryRows(rows: TableEntityResult<Record<string, unknown>>[], head: number): EntryRows {
  const sorted: EntryRows = { chain: [], past: [], foreign: [] };
  for (const row of rows) {
    const seq = entrySeq(row.rowKey!);
    if (seq === undefined) sorted.foreign.push(row.rowKey!);
    else if (seq > head) sorted.past.push(seq);
    else sorted.chain.push({ seq, row });
  }
  return sorted;
}

/**
 * A row key as a problem names it: quoted, with anything but printable ASCII escaped (a
 * trailing space or a control character shows, and nothing reaches a terminal raw), and cut
 * short when long (a key may have 1 KiB).
 */
function shownKey(rowKey: string): string {
  const quoted = JSON.stringify(rowKey.length > 80 ? `${rowKey.slice(0, 80)}...` : rowKey);
  return quoted.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A verdict for a row that cannot be an entry: the chain before it must still be checked first. */
function early(
  before: AuditEntry[],
  key: AuditKey | undefined,
  problem: { brokenAtSeq: number; problem: string },
): BrokenVerdict {
  // Only the start of the log: its newest entry was not seen, so the "newest entry has a MAC" rule waits.
  const prefix = verifyChain(before, undefined, key, { wholeLog: false });
  if (!prefix.intact) return prefix;
  return { intact: false, count: before.length, ...problem };
}

/** An index row (`q|…` or `k|…`) as verify reads it. */
interface IndexRow {
  rowKey: string;
  /** The seq it names, as `forRequest` and a keyed append read it (`Number`): NaN when it names none. */
  seq: number;
}

/** Something verify found wrong, in the verdict's terms. */
interface Problem {
  brokenAtSeq: number;
  problem: string;
}

/** The `q|` row acrbot writes for an entry (as in `commit`); undefined when the entry has no request id. */
function requestRowKey(entry: AuditEntry): string | undefined {
  // As `commit` writes it: a row for a request id that is not empty. One that is not a string (a
  // log rewritten without the audit key, hashes recomputed) has no row acrbot could have written,
  // and no keyPart of it: '' never matches a row key, so it is reported, not a crash of verify.
  if (!entry.requestId) return undefined;
  return typeof entry.requestId === 'string' ? `q|${keyPart(entry.requestId)}|${pad(entry.seq)}` : '';
}

/** The `k|` row acrbot writes for an entry; undefined when the entry carries no idempotency key. */
function keyRowKey(entry: AuditEntry): string | undefined {
  if (entry.idempotencyKey === undefined) return undefined;
  return typeof entry.idempotencyKey === 'string' ? idempotencyRowKey(entry.idempotencyKey) : '';
}

/** A seq an index row can name: a whole number from 1. */
function isSeq(seq: number): boolean {
  return Number.isSafeInteger(seq) && seq >= 1;
}

/** What an index row is, for a problem sentence. */
function indexName(row: IndexRow): string {
  return row.rowKey.startsWith('q|') ? 'a request index row' : 'an idempotency key row';
}

/**
 * The index rows checked against the entries of a verified chain (`entries[i]` at seq i + 1),
 * both ways, as SQLite's verify checks its `request_id` and `idempotency_key` columns: the hash
 * and MAC cover the entry, not its index rows, and the rows are what `audit <request>`, exports
 * by request and keyed appends read. Each entry with a request id has its `q|<request>|<seq>`
 * row, and each with a key its `k|<key>` row, naming its seq (a deleted row hides the entry
 * from its request, or lets its event be appended again); each row names an entry that carries
 * its request id or key (an added or redirected row shows an entry under another request, or
 * makes an append under a key refused or answered with another entry). Rows naming a seq past
 * the chain are left to the caller, which reads the head again before judging them.
 */
function indexProblems(entries: AuditEntry[], index: IndexRow[]): Problem[] {
  const problems: Problem[] = [];
  const seqOf = new Map(index.map((row) => [row.rowKey, row.seq]));
  for (const entry of entries) {
    const request = requestRowKey(entry);
    if (request !== undefined && seqOf.get(request) !== entry.seq)
      problems.push({
        brokenAtSeq: entry.seq,
        problem:
          "the entry's request index row is missing or names another entry (it was deleted or altered to hide the entry from its request)",
      });
    const key = keyRowKey(entry);
    if (key !== undefined && seqOf.get(key) !== entry.seq)
      problems.push({
        brokenAtSeq: entry.seq,
        problem:
          "the entry's idempotency key row is missing or names another entry (it was deleted or altered: the event could be appended again)",
      });
  }
  for (const row of index) {
    if (!isSeq(row.seq)) {
      problems.push({
        brokenAtSeq: 0,
        problem: `${indexName(row)} names no entry (its seq is not a whole number from 1: the row was added or altered)`,
      });
      continue;
    }
    if (row.seq > entries.length) continue;
    const entry = entries[row.seq - 1];
    const request = row.rowKey.startsWith('q|');
    if ((request ? requestRowKey(entry) : keyRowKey(entry)) !== row.rowKey)
      problems.push({
        brokenAtSeq: row.seq,
        problem: request
          ? 'a request index row names this entry but is not the row acrbot writes for it (it was added or altered to show the entry under a request or position it does not have)'
          : 'an idempotency key row names this entry but is not the row acrbot writes for it (it was added or altered: an append under that key would be refused)',
      });
  }
  return problems;
}
