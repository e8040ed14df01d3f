/**
 * Leases, schedule, dialog state and abuse ledger in Azure Table Storage, with the same
 * semantics as the memory and SQLite versions. Every read-then-write is an optimistic write
 * under the ETag that was read (If-Match) or an insert that fails when the row exists, so
 * several instances decide once; a lost race is re-read and decided again.
 * Its import list is the same as the other two coordination stores' because all three implement
 * the same four ports; that list is not shared logic, so it is not folded into a module of its own.
 */
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type {
  AbuseLedger,
  DialogRecord,
  DialogStore,
  Lease,
  LeaseStore,
  ScheduledJob,
  ScheduleStore,
} from '../../domain/ports';
import { LeaseLostError } from '../../domain/ports';
import { fixedWindowStart } from '../../domain/fixed-window';
import {
  backoff,
  boundedKeyPart,
  docProperties,
  findEntity,
  isConflict,
  keyPart,
  listAll,
  listTop,
  lit,
  pad,
  prefixFilter,
  readDoc,
  statusOf,
} from './tables-client';
import type { Row } from './tables-client';
import { IncrementQueue } from './increment-queue';
import { KnownRows } from './known-rows';
import { tableRest } from './tables-rest';
import { MAX_KEY_LENGTH, submitTransaction, type TransactionAction } from './tables-transaction';

/** Optimistic retries before giving up on a contended row. */
const MAX_ATTEMPTS = 100;

async function ignoreMissing(work: Promise<unknown>): Promise<boolean> {
  try {
    await work;
    return true;
  } catch (err) {
    // 404: already gone; 412: changed since read (a fresh write we must keep).
    if (statusOf(err) === 404 || statusOf(err) === 412) return false;
    throw err;
  }
}

/** A lease row as this instance last wrote it, with the ETag the service gave that write. */
interface KnownLease {
  owner: string;
  expiresAtMs: number;
  fence: number;
  etag: string;
  /** The random id of the write that stored the row (none in rows of older versions). */
  claim?: string;
}

/**
 * The partition of lease `key`: the key escaped, or its digest when that is longer than a key
 * may be (a secret's lease names the cluster's ARM id, the namespace and the secret: up to ~700
 * characters escaped). Every lease key that could be stored before keeps its partition, so
 * instances of this version and older ones take the same leases (see docs/storage.md).
 */
export const leasePartition = (key: string) => boundedKeyPart(key, MAX_KEY_LENGTH);

/** A lease row; one under a digest partition names its lease (`key`), for whoever reads the table. */
function leaseRow(pk: string, key: string, fields: Omit<KnownLease, 'etag'>): Row {
  return { partitionKey: pk, rowKey: '', ...fields, ...(pk.startsWith('~') ? { key } : {}) };
}

/**
 * Leases: one row per key (`PartitionKey` = key, `RowKey` = ''). Take-over is an If-Match
 * replace of the expired row with `fence + 1`; renew is an If-Match replace that checks
 * owner, fence and expiry first, so a stale holder can never extend or release a newer lease,
 * nor revive one that lapsed.
 *
 * The row this instance last wrote is remembered with its ETag: while the ETag matches, the row
 * is exactly what was written, so deciding on the remembered row and writing under its ETag is
 * the same as reading it first and writing under the ETag read. A write by anyone else changes
 * the ETag, the write fails with 412 and the decision is made again on a fresh read. A new key
 * is created blindly (a 409 means it exists: read it and decide). A grant flow's execution lease
 * is then one create and one release, instead of a read before each.
 */
export class TablesLeaseStore implements LeaseStore {
  private readonly known = new KnownRows<KnownLease>();

  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date,
  ) {}

  async acquire(key: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const pk = leasePartition(key);
    const nowMs = this.now().getTime();
    // The row read after a refused write, which the next attempt decides on.
    let reread: KnownLease | 'absent' | undefined;
    // First on the row as written here, or, for a key this instance has not written, on no row
    // (a new key is the usual case); then, if that write conflicts, on a fresh read.
    for (const remembered of [true, false]) {
      const row: KnownLease | 'absent' = remembered ? (this.known.get(pk) ?? 'absent') : (reread ?? 'absent');
      const held = row !== 'absent' && row.owner !== owner && row.expiresAtMs > nowMs;
      // "Held by another" is only ever concluded on a fresh read.
      if (held && remembered) {
        reread = (await this.read(pk)) ?? 'absent';
        continue;
      }
      if (held) return undefined;
      // The claim tells this write's row from any other (see below).
      const next = {
        owner,
        expiresAtMs: nowMs + ttlMs,
        fence: row === 'absent' ? 1 : row.fence + 1,
        claim: randomUUID(),
      };
      const lease = { key, owner, expiresAt: new Date(next.expiresAtMs).toISOString(), fence: next.fence };
      const entity = leaseRow(pk, key, next);
      try {
        const written =
          row === 'absent'
            ? await tableRest(this.table).create(entity)
            : await tableRest(this.table).replace(entity, row.etag);
        this.known.remember(pk, next, written.etag);
        return lease;
      } catch (err) {
        this.known.forget(pk);
        // 409/412 (or 404: the row went away): what we decided on is not the row any more, or
        // this write was stored and its answer lost: the SDK's retry policy sent it again and
        // the service refused it because of the first. Our claim in the row read now says which.
        if (!isConflict(err) && statusOf(err) !== 404) throw err;
        const seen = await this.read(pk);
        if (seen?.claim === next.claim) {
          this.known.remember(pk, next, seen.etag);
          return lease;
        }
        // After a fresh read, another instance took it between our read and write.
        if (!remembered) return undefined;
        reread = seen ?? 'absent';
      }
    }
    return undefined;
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease> {
    const pk = leasePartition(lease.key);
    // Ours and not lapsed: a lapsed lease is lost too, its holder having stalled past it, for
    // another instance may have read it free (holder) since and acted on that. The ETag fences
    // the write against a new holder; the expiry is judged on the row the write is made under.
    const ours = (row: KnownLease | undefined) =>
      row?.owner === lease.owner && row.fence === lease.fence && row.expiresAtMs > this.now().getTime();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const remembered = attempt === 0 ? this.known.get(pk) : undefined;
      // A lost lease is only ever concluded on a fresh read.
      const current = ours(remembered) ? remembered : await this.read(pk);
      if (!current || !ours(current)) {
        // Concluded on a fresh read: the row remembered is another's now, or lapsed.
        this.known.forget(pk);
        throw new LeaseLostError(lease.key);
      }
      const next = { owner: lease.owner, expiresAtMs: this.now().getTime() + ttlMs, fence: lease.fence };
      try {
        const written = await tableRest(this.table).replace(leaseRow(pk, lease.key, next), current.etag);
        this.known.remember(pk, next, written.etag);
        return { ...lease, expiresAt: new Date(next.expiresAtMs).toISOString() };
      } catch (err) {
        this.known.forget(pk);
        // Changed (or gone) since read or since our own write: re-read and check ownership again.
        if (statusOf(err) !== 412 && statusOf(err) !== 404) throw err;
        if (attempt > 0) await backoff(attempt - 1);
      }
    }
    throw new LeaseLostError(lease.key);
  }

  async release(lease: Lease): Promise<void> {
    const pk = leasePartition(lease.key);
    const ours = (row: KnownLease | undefined) => row?.owner === lease.owner && row.fence === lease.fence;
    for (const remembered of [true, false]) {
      const current = remembered ? this.known.get(pk) : await this.read(pk);
      // Not ours as remembered: look at the row itself before concluding anything.
      if (remembered && !ours(current)) continue;
      if (!current || !ours(current)) return;
      // Expire and disown rather than delete: the fence stays, so a later holder still gets a higher one.
      const next = { owner: '', expiresAtMs: 0, fence: lease.fence };
      try {
        const written = await tableRest(this.table).replace(leaseRow(pk, lease.key, next), current.etag);
        this.known.remember(pk, next, written.etag);
        return;
      } catch (err) {
        this.known.forget(pk);
        // 404: already gone; 412: changed since (taken over after expiry): decided again on a fresh read.
        if (statusOf(err) === 404) return;
        if (statusOf(err) !== 412) throw err;
      }
    }
  }

  async holder(key: string): Promise<Lease | undefined> {
    // Always read: another instance's take-over is not in `known`.
    const row = await this.read(leasePartition(key));
    return row?.owner && row.expiresAtMs > this.now().getTime()
      ? { key, owner: row.owner, expiresAt: new Date(row.expiresAtMs).toISOString(), fence: row.fence }
      : undefined;
  }

  private async read(pk: string): Promise<KnownLease | undefined> {
    const row = await findEntity(this.table, pk, '');
    if (!row) return undefined;
    return {
      owner: String(row.owner ?? ''),
      expiresAtMs: Number(row.expiresAtMs),
      fence: Number(row.fence ?? 0),
      etag: row.etag,
      ...(typeof row.claim === 'string' ? { claim: row.claim } : {}),
    };
  }
}

const SCHEDULE = 'schedule';
const jobKey = (id: string) => `j|${keyPart(id)}`;
const dueKey = (dueAt: string, id: string) => `d|${dueAt}|${keyPart(id)}`;
const requestJobKey = (requestId: string, id: string) => `r|${keyPart(requestId)}|${keyPart(id)}`;

/** A job as read from a row: the revision of one written before revisions existed is `''`. */
function readJob(row: Parameters<typeof readDoc>[0]): ScheduledJob {
  const job = readDoc<ScheduledJob>(row);
  return { ...job, revision: job.revision ?? '' };
}

/**
 * The job row as read: the job and its ETag, or the ETag of a removed job's marker and the
 * random id of the delete that wrote it (`removal`; none in markers of older versions).
 */
interface JobRowRead {
  previous?: ScheduledJob;
  etag: string;
  removal?: string;
}

/**
 * The schedule in one partition: `j|<id>` (the job), `d|<dueAt>|<id>` (due-time index: `due`
 * is a key-range read from the start that stops at `now`, O(due)), `r|<requestId>|<id>`
 * (per request). A put moves all three in one entity-group transaction conditional on the
 * job row's ETag. The job's revision is in its document (a new random one per write).
 *
 * A conditional delete cannot be one delete transaction: deletes in a batch are unconditional
 * (the SDK's too). So it replaces the job row, under the ETag of the revision it was asked to
 * delete, by a *marker* (the same document and `removed: true`) in the transaction that deletes
 * the index rows — all or nothing, refused (412) when anyone wrote the job since — and then
 * deletes the marker under the ETag that transaction gave it. A marker left behind (the second
 * request failed, the process died) is read as no job: not listed (no index rows), `get` answers
 * undefined, a put replaces it, a delete removes it. Its document stays readable so that an older
 * acrbot meeting one in that moment retries (its index rows are gone) until the marker is deleted.
 */
export class TablesScheduleStore implements ScheduleStore {
  /**
   * The job row as this instance last wrote or read it, with its ETag. While the ETag matches,
   * the row is exactly that job, so a move can go straight to the transaction conditional on it
   * (deleting the index rows of the remembered version) instead of a blind create that fails
   * with 409 and a read: one request instead of three. A write by anyone else changes the ETag,
   * the transaction fails as a whole and the job is read and decided again. A conditional write
   * whose revision is the remembered one likewise needs no read (the scheduler's run read it).
   */
  private readonly known = new KnownRows<{ job: ScheduledJob; etag: string }>();

  constructor(private readonly table: TableClient) {}

  async put(job: ScheduledJob): Promise<void> {
    await this.write(job, undefined);
  }

  async putIfUnchanged(job: ScheduledJob, revision: string): Promise<boolean> {
    return this.write(job, revision);
  }

  async putIfAbsent(job: ScheduledJob): Promise<boolean> {
    return this.write(job, undefined, true);
  }

  /**
   * Writes `job` under a new revision; with `ifRevision`, only over the job still at it; with
   * `ifAbsent`, only where no job is (nothing, or a removed job's marker).
   */
  private async write(job: ScheduledJob, ifRevision: string | undefined, ifAbsent = false): Promise<boolean> {
    const { revision: _read, ...rest } = job;
    const stored: ScheduledJob = { ...rest, dueAt: new Date(job.dueAt).toISOString(), revision: randomUUID() };
    for (let attempt = 0; ; attempt++) {
      // Most puts schedule a job that does not exist yet (a new request's expiry, nudges, the end
      // of new access), so the first attempt creates it without reading: one request instead of
      // a read that answers 404 and then the write. When the job exists, its `create` fails the
      // whole transaction (409, nothing written) and the next attempt reads and replaces it. A
      // conditional write decides on the remembered row when it is the revision asked for, and
      // reads otherwise: it never creates. A create only where no job is starts with the same
      // blind create (a remembered row may have been deleted since), and reads once it is refused.
      const remembered = attempt === 0 && !ifAbsent ? this.known.get(job.id) : undefined;
      const current =
        remembered && (ifRevision === undefined || remembered.job.revision === ifRevision)
          ? { previous: remembered.job, etag: remembered.etag }
          : attempt === 0 && ifRevision === undefined
            ? undefined
            : await this.read(job.id);
      // This write, stored and its answer lost: the SDK's retry policy sent it again and the
      // service refused it because of the first (409/412/404). Its revision is new and random,
      // so a job at it is this write's.
      if (attempt > 0 && current?.previous?.revision === stored.revision) return true;
      if (ifRevision !== undefined && current?.previous?.revision !== ifRevision) return false;
      // A job is there (a marker is none: it is replaced under its ETag, as a put does).
      if (ifAbsent && current?.previous) return false;
      const previous = current?.previous;
      const doc = docProperties(stored);
      const jobRow = { partitionKey: SCHEDULE, rowKey: jobKey(job.id), ...doc };
      const actions: TransactionAction[] = [
        current ? ['update', jobRow, 'Replace', { etag: current.etag }] : ['create', jobRow],
      ];
      const newDue = dueKey(stored.dueAt, job.id);
      if (previous && dueKey(previous.dueAt, job.id) !== newDue)
        actions.push(['delete', { partitionKey: SCHEDULE, rowKey: dueKey(previous.dueAt, job.id) }]);
      actions.push(['upsert', { partitionKey: SCHEDULE, rowKey: newDue, ...doc }, 'Replace']);
      if (previous?.requestId && previous.requestId !== stored.requestId)
        actions.push(['delete', { partitionKey: SCHEDULE, rowKey: requestJobKey(previous.requestId, job.id) }]);
      if (stored.requestId)
        actions.push([
          'upsert',
          { partitionKey: SCHEDULE, rowKey: requestJobKey(stored.requestId, job.id) },
          'Replace',
        ]);
      try {
        const result = await submitTransaction(this.table, actions);
        this.known.remember(stored.id, { job: stored }, result.subResponses[0]?.etag);
        return true;
      } catch (err) {
        this.known.forget(job.id);
        // A version (remembered or just read) that is no longer the row: 412 on the job row, or
        // 404 on the job row or an index row of it that a later move or a delete removed. Read
        // and decide again (a job deleted meanwhile is created, as SQLite's upsert does; a
        // conditional write then finds it gone or changed and writes nothing).
        const lost = isConflict(err) || (current !== undefined && statusOf(err) === 404);
        if (!lost || attempt + 1 >= MAX_ATTEMPTS) throw err;
        // The blind create meeting an existing job is no contention: read it at once.
        if (attempt > 0) await backoff(attempt - 1);
      }
    }
  }

  async get(id: string): Promise<ScheduledJob | undefined> {
    return (await this.read(id))?.previous;
  }

  async due(now: Date, limit: number): Promise<ScheduledJob[]> {
    if (limit <= 0) return [];
    // '}' sorts after every character keyPart emits, so every id at exactly `now` is included.
    const filter = `PartitionKey eq ${lit(SCHEDULE)} and RowKey ge 'd|' and RowKey le ${lit(`d|${now.toISOString()}|}`)}`;
    return (await listTop(this.table, filter, limit)).map(readJob);
  }

  async forRequest(requestId: string): Promise<ScheduledJob[]> {
    const index = await listAll(this.table, prefixFilter(SCHEDULE, `r|${keyPart(requestId)}|`));
    const jobs = await Promise.all(index.map((row) => this.get(decodeKey(row.rowKey!.split('|')[2]))));
    return jobs
      .filter((j): j is ScheduledJob => j !== undefined && j.requestId === requestId)
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : 1));
  }

  /**
   * A RowKey range of the job rows: keyPart escapes one character at a time into a code that is
   * prefix-free (a kept character, or `!<hex>;` with `!` and `;` themselves escaped), so the job
   * rows whose key starts with `j|<keyPart(prefix)>` are exactly the jobs whose id starts with
   * `prefix`. A removed job's marker is no job and is passed over.
   */
  async withIdPrefix(prefix: string, limit: number): Promise<ScheduledJob[]> {
    const out: ScheduledJob[] = [];
    if (limit <= 0) return out;
    const filter = prefixFilter(SCHEDULE, jobKey(prefix));
    for await (const page of tableRest(this.table).pages({ filter, pageSize: Math.min(limit, 1000) }))
      for (const row of page) {
        if (row.removed === true) continue;
        out.push(readJob(row));
        if (out.length >= limit) return out;
      }
    return out;
  }

  async delete(id: string): Promise<void> {
    this.known.forget(id);
    for (let attempt = 0; ; attempt++) {
      const current = await findEntity(this.table, SCHEDULE, jobKey(id));
      if (!current) return;
      try {
        if (current.removed === true) {
          // A removed job's marker (see the class): it has no index rows left.
          await tableRest(this.table).delete(SCHEDULE, jobKey(id), current.etag);
          return;
        }
        const job = readJob(current);
        const actions: TransactionAction[] = [
          ['delete', { partitionKey: SCHEDULE, rowKey: jobKey(id) }],
          ['delete', { partitionKey: SCHEDULE, rowKey: dueKey(job.dueAt, id) }],
        ];
        if (job.requestId)
          actions.push(['delete', { partitionKey: SCHEDULE, rowKey: requestJobKey(job.requestId, id) }]);
        // Deletes in a batch are unconditional; a put that moved the job after our read removed
        // the old index row, so this batch fails as a whole (404) and is decided again.
        await submitTransaction(this.table, actions);
        return;
      } catch (err) {
        if ((statusOf(err) !== 404 && statusOf(err) !== 412) || attempt + 1 >= MAX_ATTEMPTS) throw err;
        await backoff(attempt);
      }
    }
  }

  async deleteIfUnchanged(id: string, revision: string): Promise<boolean> {
    // Names this delete's marker: another instance deleting the same revision writes an equal
    // document, so only this id tells a marker stored by this call (its answer lost) from theirs.
    const removal = randomUUID();
    for (let attempt = 0; ; attempt++) {
      // The scheduler's run read the job (remembered with its ETag): then this is one transaction.
      const remembered = attempt === 0 ? this.known.get(id) : undefined;
      const current =
        remembered?.job.revision === revision
          ? { previous: remembered.job, etag: remembered.etag }
          : await this.read(id);
      if (attempt > 0 && current?.removal === removal) {
        // Our transaction was applied and its answer lost (the resend refused because of it).
        await this.removeMarker(id, current.etag);
        return true;
      }
      const job = current?.previous;
      if (!current || !job || job.revision !== revision) return false;
      const marker = { partitionKey: SCHEDULE, rowKey: jobKey(id), ...docProperties(job), removed: true, removal };
      const actions: TransactionAction[] = [
        ['update', marker, 'Replace', { etag: current.etag }],
        ['delete', { partitionKey: SCHEDULE, rowKey: dueKey(job.dueAt, id) }],
      ];
      if (job.requestId) actions.push(['delete', { partitionKey: SCHEDULE, rowKey: requestJobKey(job.requestId, id) }]);
      let markerEtag: string | undefined;
      try {
        markerEtag = (await submitTransaction(this.table, actions)).subResponses[0]?.etag;
      } catch (err) {
        this.known.forget(id);
        // 412: written since the ETag it was decided on (a stale memory, or a write right now);
        // 404: an index row of that version is gone (moved or deleted). Read and decide again.
        if (!(isConflict(err) || statusOf(err) === 404) || attempt + 1 >= MAX_ATTEMPTS) throw err;
        if (attempt > 0) await backoff(attempt - 1);
        continue;
      }
      this.known.forget(id);
      await this.removeMarker(id, markerEtag);
      return true;
    }
  }

  /** Deletes a removed job's marker, unless a put replaced it meanwhile (then its ETag changed). */
  private async removeMarker(id: string, etag: string | undefined): Promise<void> {
    try {
      // Without the ETag in the answer (the SDK's path), read it: only a marker is deleted.
      const tag =
        etag ??
        (await findEntity(this.table, SCHEDULE, jobKey(id)).then((r) => (r?.removed === true ? r.etag : undefined)));
      if (tag) await tableRest(this.table).delete(SCHEDULE, jobKey(id), tag);
    } catch (err) {
      // 404: deleted meanwhile; 412: a put replaced the marker with a job, which stays.
      if (statusOf(err) !== 404 && statusOf(err) !== 412) throw err;
    }
  }

  /** The job row and its ETag (the job remembered for the next put); a marker is no job. */
  private async read(id: string): Promise<JobRowRead | undefined> {
    const row = await findEntity(this.table, SCHEDULE, jobKey(id));
    if (!row) {
      this.known.forget(id);
      return undefined;
    }
    if (row.removed === true) {
      this.known.forget(id);
      return { etag: row.etag, ...(typeof row.removal === 'string' ? { removal: row.removal } : {}) };
    }
    const previous = readJob(row);
    this.known.remember(id, { job: previous }, row.etag);
    return { previous, etag: row.etag };
  }
}

/** Inverse of keyPart for ids read back from row keys. */
function decodeKey(part: string): string {
  return part.replace(/!([0-9A-F]+);/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}

/** Partition of the dialogs' expiry index; dialog partitions are keyPart output, which never contains `|`. */
const DIALOG_EXPIRY = 'x|expiry';

/**
 * The partition of dialog `key` (`conversation|user`): escaped, or a digest when that is longer
 * than a key may be (a Teams conversation id of 300 characters can escape to 1,200). Every key
 * that could be stored before keeps its partition.
 */
const dialogPartition = (key: string) => boundedKeyPart(key, MAX_KEY_LENGTH);

/**
 * Dialog state: one row per `conversation|user` key (expiry checked on read), and an expiry
 * index `x|expiry` / `<expiresAtMs>|<key>` so that purging reads only what expired.
 */
export class TablesDialogStore implements DialogStore {
  constructor(private readonly table: TableClient) {}

  async get(key: string, now: Date): Promise<DialogRecord | undefined> {
    const row = await findEntity(this.table, dialogPartition(key), '');
    if (!row) return undefined;
    if (Number(row.expiresAtMs) <= now.getTime()) {
      // Conditional on the row we read: a fresh put by another instance in between is kept.
      await ignoreMissing(tableRest(this.table).delete(dialogPartition(key), '', row.etag));
      return undefined;
    }
    return readDoc<DialogRecord>(row);
  }

  async put(record: DialogRecord): Promise<void> {
    const expiresAtMs = Date.parse(record.expiresAt);
    // The index row first: a record always has an index row for its expiry, even if this
    // process dies between the two writes (an index row without its record is dropped by purge).
    await tableRest(this.table).upsert(timeIndexRow(DIALOG_EXPIRY, expiresAtMs, record.key));
    await tableRest(this.table).upsert({
      partitionKey: dialogPartition(record.key),
      rowKey: '',
      expiresAtMs,
      ...docProperties(record),
    });
  }

  async delete(key: string): Promise<void> {
    // Its index row stays until its time comes; purge then finds no record and drops it.
    await ignoreMissing(tableRest(this.table).delete(dialogPartition(key), ''));
  }

  async purgeExpired(now: Date): Promise<number> {
    return drainIndex(this.table, DIALOG_EXPIRY, now.getTime(), async (key) => {
      const row = await findEntity(this.table, dialogPartition(key), '');
      // Put again with a later expiry since this index row was written: the record stays (its new index row exists).
      if (!row || Number(row.expiresAtMs) > now.getTime()) return false;
      return ignoreMissing(tableRest(this.table).delete(dialogPartition(key), '', row.etag));
    });
  }
}

/**
 * A time index row: the time zero-padded (sorts like time), then the escaped key; a key too long
 * for that is a digest, and the row carries the key itself (`key`), which purging reads.
 */
function timeIndexRow(partition: string, ms: number, key: string): Row {
  const time = `${pad(ms, 15)}|`;
  const part = boundedKeyPart(key, MAX_KEY_LENGTH - time.length);
  return { partitionKey: partition, rowKey: `${time}${part}`, ...(part.startsWith('~') ? { key } : {}) };
}

/** Index rows read per page while draining. */
const INDEX_PAGE = 500;

/**
 * Reads the index rows of `partition` up to `untilMs` (a key range from the start: only what
 * is due), lets `remove` delete the indexed row when it is still due, then deletes the index
 * row. Returns how many indexed rows were deleted. Work is proportional to the due index rows.
 */
async function drainIndex(
  table: TableClient,
  partition: string,
  untilMs: number,
  remove: (key: string) => Promise<boolean>,
): Promise<number> {
  // Every row key of a time up to `untilMs` sorts before the next millisecond's (same width).
  const filter = `PartitionKey eq ${lit(partition)} and RowKey lt ${lit(pad(untilMs + 1, 15))}`;
  let removed = 0;
  for (;;) {
    const page = await listTop(table, filter, INDEX_PAGE);
    for (const index of page) {
      const key =
        typeof index.key === 'string' ? index.key : decodeKey(index.rowKey!.slice(index.rowKey!.indexOf('|') + 1));
      if (await remove(key)) removed++;
      // Unconditional: a row rewritten meanwhile names the same key and the same (past) time.
      await ignoreMissing(tableRest(table).delete(partition, index.rowKey!));
    }
    if (page.length < INDEX_PAGE) return removed;
  }
}

/** A rate-window row as last written or read, with its ETag. */
interface RateWindow {
  windowStartMs: number;
  count: number;
  etag: string;
  /** The random claims of the last writes of the row (see `addHits`), oldest first. */
  claims: string[];
}

/**
 * Claims a rate-window row keeps: its own write's and those before it, so that a hit whose
 * answer was lost is recognised as counted even after other hits followed it.
 */
const CLAIMS = 8;

/**
 * Partition of the sightings' expiry index (sighting partitions are `s|…`, rate windows `w|…`):
 * `<expiresAtMs>|<activityId>`, so each sighting is forgotten by its own ttl.
 */
const SIGHTING_ENDS = 'x|sighting-ends';
/**
 * The index of an earlier release, by the time a sighting was seen: its rows are still drained
 * (a rolling upgrade's older instances write them) with a redelivery's memory, the longest any of
 * that release's callers asked.
 */
const SIGHTING_TIMES = 'x|sightings';
/** How long a sighting without its own expiry (an earlier release's row) is remembered: a day. */
const UNDATED_SIGHTING_TTL_MS = 24 * 3_600_000;

/**
 * When a stored sighting is forgotten: its own expiry, or for an earlier release's row (none
 * recorded) `undatedTtlMs` after it was seen, as that release judged it.
 */
function sightingEndsAt(seen: Record<string, unknown>, undatedTtlMs: number): number {
  return seen.expiresAtMs === undefined || seen.expiresAtMs === null
    ? Number(seen.seenAtMs) + undatedTtlMs
    : Number(seen.expiresAtMs);
}

/**
 * The partition of a sighting: `s|` and the activity key escaped, or its digest when too long
 * (the key names the conversation too); every key that could be stored before is unchanged.
 */
const sightingPartition = (activityId: string) => `s|${boundedKeyPart(activityId, MAX_KEY_LENGTH - 2)}`;

/**
 * Redelivery sightings (`s|<activityId>`) and rate windows (`w|<key>`): inserts that fail when
 * the row exists, and If-Match increments retried on 412, so every hit is counted once. This
 * instance's hits on one window row go one request at a time, merged while they wait
 * (`IncrementQueue`), so only another instance's hit can race them. A time
 * index (`x|sighting-ends` / `<expiresAtMs>|<activityId>`) lets expired sightings be forgotten without a scan.
 */
export class TablesAbuseLedger implements AbuseLedger {
  /** Rate-window rows this instance last wrote, with their ETags (see `hit`). */
  private readonly windows = new KnownRows<RateWindow>();
  /** This instance's hits on one window row are written one request at a time, merged while they wait. */
  private readonly increments = new IncrementQueue((pk, start, n) => this.addHits(pk, start, n));

  constructor(private readonly table: TableClient) {}

  async firstSighting(activityId: string, now: Date, ttlMs: number): Promise<boolean> {
    const pk = sightingPartition(activityId);
    // The claim tells our own row from another's: a create whose answer was lost is resent by
    // the SDK's retry policy and refused with 409 by the row it wrote itself.
    const claim = randomUUID();
    const expiresAtMs = now.getTime() + ttlMs;
    const row = { partitionKey: pk, rowKey: '', seenAtMs: now.getTime(), expiresAtMs, claim };
    // The index row first, so a sighting never exists without one (a redelivery adds a row that
    // points at a younger sighting than its time: the purge then drops the index row only).
    await tableRest(this.table).upsert(timeIndexRow(SIGHTING_ENDS, expiresAtMs, activityId));
    try {
      await tableRest(this.table).create(row);
      return true;
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    const seen = await findEntity(this.table, pk, '');
    if (!seen) return false; // deleted in between: someone else is handling it
    if (seen.claim === claim) return true;
    if (sightingEndsAt(seen, ttlMs) > now.getTime()) return false;
    // Forgotten after the ttl: the first instance to overwrite the old sighting wins.
    try {
      await tableRest(this.table).replace(row, seen.etag);
      return true;
    } catch (err) {
      if (statusOf(err) === 412) return (await findEntity(this.table, pk, ''))?.claim === claim;
      throw err;
    }
  }

  async forgetSighting(activityId: string): Promise<void> {
    // The expiry-index row stays: the purge drops an index row whose sighting is gone.
    await ignoreMissing(tableRest(this.table).delete(sightingPartition(activityId), ''));
  }

  async hit(key: string, now: Date, windowMs: number): Promise<number> {
    return this.increments.add(`w|${boundedKeyPart(key, MAX_KEY_LENGTH - 2)}`, fixedWindowStart(now, windowMs));
  }

  /** Adds `n` hits to the window row `pk` for the window starting at `start`; the count after them. */
  private async addHits(pk: string, start: number, n: number): Promise<number> {
    // The row read after a refused write, which the next attempt decides on.
    let reread: { row: RateWindow | undefined } | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // The window row as this instance last wrote it: while its ETag matches, it is the row, so
      // the increment goes straight to the If-Match write; anyone else's hit since makes it 412.
      const remembered = attempt === 0 ? this.windows.get(pk) : undefined;
      const current = remembered ?? (reread ? reread.row : await this.readWindow(pk));
      reread = undefined;
      const count = (current && current.windowStartMs === start ? current.count : 0) + n;
      // This write's claim, after those of the writes before it: a write whose answer was lost
      // (the service applied it, the SDK's retry policy sent it again and it was refused, 409 or
      // 412, because of the first) is found by its claim, also once another hit followed it.
      const claim = randomUUID();
      const claims = [...(current?.claims ?? []), claim].slice(-CLAIMS);
      const row = { partitionKey: pk, rowKey: '', windowStartMs: start, count, claims: claims.join(' ') };
      try {
        const written = current
          ? await tableRest(this.table).replace(row, current.etag)
          : await tableRest(this.table).create(row);
        this.windows.remember(pk, { windowStartMs: start, count, claims }, written.etag);
        return count;
      } catch (err) {
        this.windows.forget(pk);
        if (!isConflict(err) && !(remembered && statusOf(err) === 404)) throw err;
        if (isConflict(err)) {
          const seen = await this.readWindow(pk);
          if (seen?.claims.includes(claim)) {
            // Counted: our place in the window is the count this write stored.
            this.windows.remember(pk, seen, seen.etag);
            return count;
          }
          reread = { row: seen };
        }
        // A stale memory is no contention: read at once; a lost race after a read backs off.
        if (!remembered) await backoff(attempt);
      }
    }
    throw new Error(`rate window ${pk.slice(2)} is too contended`);
  }

  private async readWindow(pk: string): Promise<RateWindow | undefined> {
    const row = await findEntity(this.table, pk, '');
    return (
      row && {
        windowStartMs: Number(row.windowStartMs),
        count: Number(row.count),
        etag: row.etag,
        claims: typeof row.claims === 'string' && row.claims ? row.claims.split(' ') : [],
      }
    );
  }

  async forgetExpiredSightings(now: Date): Promise<number> {
    const forget = async (activityId: string) => {
      const pk = sightingPartition(activityId);
      const seen = await findEntity(this.table, pk, '');
      // Seen again since this index row was written: that younger sighting has its own row.
      if (!seen || sightingEndsAt(seen, UNDATED_SIGHTING_TTL_MS) > now.getTime()) return false;
      return ignoreMissing(tableRest(this.table).delete(pk, '', seen.etag));
    };
    const expired = await drainIndex(this.table, SIGHTING_ENDS, now.getTime(), forget);
    return expired + (await drainIndex(this.table, SIGHTING_TIMES, now.getTime() - UNDATED_SIGHTING_TTL_MS, forget));
  }
}
