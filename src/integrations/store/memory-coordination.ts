/**
 * In-memory leases, schedule, dialog state and abuse ledger (ACRBOT_STORAGE=memory, tests),
 * with the same semantics as the SQLite and Azure Tables implementations.
 * Its import list is the same as the other two coordination stores' because all three implement
 * the same four ports; that list is not shared logic, so it is not folded into a module of its own.
 */
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
import { compareCodeUnits } from '../../domain/code-unit-order';

/** Leases in a Map; check and write happen with no await between them, so they are atomic. */
export class MemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, Lease>();
  constructor(private readonly now: () => Date) {}

  async acquire(key: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const current = this.leases.get(key);
    const now = this.now();
    if (current && current.owner !== owner && Date.parse(current.expiresAt) > now.getTime()) return undefined;
    const lease: Lease = {
      key,
      owner,
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      fence: (current?.fence ?? 0) + 1,
    };
    this.leases.set(key, lease);
    return { ...lease };
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease> {
    const current = this.leases.get(lease.key);
    const now = this.now().getTime();
    // Lapsed is lost too: another instance may have read it free (holder) since, and acted on that.
    const lapsed = !current || Date.parse(current.expiresAt) <= now;
    if (lapsed || current.owner !== lease.owner || current.fence !== lease.fence) throw new LeaseLostError(lease.key);
    const next = { ...current, expiresAt: new Date(now + ttlMs).toISOString() };
    this.leases.set(lease.key, next);
    return { ...next };
  }

  async release(lease: Lease): Promise<void> {
    const current = this.leases.get(lease.key);
    if (current && current.owner === lease.owner && current.fence === lease.fence) {
      // Keep the fence so a later holder still gets a higher one; no owner, so renew is refused.
      this.leases.set(lease.key, { ...current, owner: '', expiresAt: new Date(0).toISOString() });
    }
  }

  async holder(key: string): Promise<Lease | undefined> {
    const current = this.leases.get(key);
    return current?.owner && Date.parse(current.expiresAt) > this.now().getTime() ? { ...current } : undefined;
  }
}

/** By due time (normalised ISO text), then id: the order SQLite and Tables list jobs in. */
const byDueThenId = (a: ScheduledJob, b: ScheduledJob): number =>
  compareCodeUnits(a.dueAt, b.dueAt) || compareCodeUnits(a.id, b.id);

/**
 * Jobs in a Map; `due` scans, which is fine for memory (SQLite and Tables use an index). A
 * conditional write compares the revision and writes with no await between them, so it is atomic.
 */
export class MemoryScheduleStore implements ScheduleStore {
  private readonly jobs = new Map<string, ScheduledJob>();
  /** Revisions come from one counter, so an id deleted and created again never repeats one. */
  private revisions = 0;

  async put(job: ScheduledJob): Promise<void> {
    this.write(job);
  }

  async putIfUnchanged(job: ScheduledJob, revision: string): Promise<boolean> {
    if (this.jobs.get(job.id)?.revision !== revision) return false;
    this.write(job);
    return true;
  }

  async putIfAbsent(job: ScheduledJob): Promise<boolean> {
    if (this.jobs.has(job.id)) return false;
    this.write(job);
    return true;
  }

  async get(id: string): Promise<ScheduledJob | undefined> {
    const job = this.jobs.get(id);
    return job ? structuredClone(job) : undefined;
  }

  async due(now: Date, limit: number): Promise<ScheduledJob[]> {
    const t = now.getTime();
    return [...this.jobs.values()]
      .filter((j) => Date.parse(j.dueAt) <= t)
      .sort(byDueThenId)
      .slice(0, limit)
      .map((j) => structuredClone(j));
  }

  async forRequest(requestId: string): Promise<ScheduledJob[]> {
    return [...this.jobs.values()]
      .filter((j) => j.requestId === requestId)
      .sort(byDueThenId)
      .map((j) => structuredClone(j));
  }

  async withIdPrefix(prefix: string, limit: number): Promise<ScheduledJob[]> {
    if (limit <= 0) return [];
    return [...this.jobs.values()]
      .filter((j) => j.id.startsWith(prefix))
      .sort((a, b) => compareCodeUnits(a.id, b.id))
      .slice(0, limit)
      .map((j) => structuredClone(j));
  }

  async delete(id: string): Promise<void> {
    this.jobs.delete(id);
  }

  async deleteIfUnchanged(id: string, revision: string): Promise<boolean> {
    return this.jobs.get(id)?.revision === revision && this.jobs.delete(id);
  }

  private write(job: ScheduledJob): void {
    // Normalised ISO text, as the other stores keep it: it then sorts like time.
    const dueAt = new Date(job.dueAt).toISOString();
    this.jobs.set(job.id, { ...structuredClone(job), dueAt, revision: String(++this.revisions) });
  }
}

/** Dialog records in a Map, invisible once expired. */
export class MemoryDialogStore implements DialogStore {
  private readonly records = new Map<string, DialogRecord>();

  async get(key: string, now: Date): Promise<DialogRecord | undefined> {
    const record = this.records.get(key);
    if (!record) return undefined;
    if (Date.parse(record.expiresAt) <= now.getTime()) {
      this.records.delete(key);
      return undefined;
    }
    return structuredClone(record);
  }

  async put(record: DialogRecord): Promise<void> {
    this.records.set(record.key, structuredClone(record));
  }

  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }

  async purgeExpired(now: Date): Promise<number> {
    let purged = 0;
    for (const [key, record] of this.records) {
      if (Date.parse(record.expiresAt) <= now.getTime()) {
        this.records.delete(key);
        purged++;
      }
    }
    return purged;
  }
}

/** Activity ids and rate windows in Maps; old entries are dropped as new ones arrive. */
export class MemoryAbuseLedger implements AbuseLedger {
  /**
   * Sighting times by id, one Map per ttl: each sighting expires by its own ttl (a refusal kept
   * a minute must not forget redeliveries kept a day), and within one ttl insertion order is
   * expiry order, so pruning stops at the first one still remembered. Callers use a few ttls.
   */
  private readonly seen = new Map<number, Map<string, number>>();
  private readonly windows = new Map<string, { start: number; count: number }>();

  async firstSighting(activityId: string, now: Date, ttlMs: number): Promise<boolean> {
    const t = now.getTime();
    for (const [ttl, sightings] of this.seen) {
      // Maps iterate in insertion order: forget the oldest sightings first.
      for (const [id, at] of sightings) {
        if (t - at < ttl) break;
        sightings.delete(id);
      }
      if (sightings.size === 0) this.seen.delete(ttl);
    }
    for (const sightings of this.seen.values()) if (sightings.has(activityId)) return false;
    const sightings = this.seen.get(ttlMs) ?? new Map<string, number>();
    this.seen.set(ttlMs, sightings.set(activityId, t));
    return true;
  }

  async forgetSighting(activityId: string): Promise<void> {
    for (const sightings of this.seen.values()) sightings.delete(activityId);
  }

  async hit(key: string, now: Date, windowMs: number): Promise<number> {
    const start = fixedWindowStart(now, windowMs);
    const current = this.windows.get(key);
    const next = current && current.start === start ? { start, count: current.count + 1 } : { start, count: 1 };
    this.windows.set(key, next);
    if (this.windows.size > 10_000) {
      for (const [k, w] of this.windows) if (w.start < start) this.windows.delete(k);
    }
    return next.count;
  }

  async forgetExpiredSightings(now: Date): Promise<number> {
    // Within one ttl insertion order is expiry order: stop at the first one still remembered.
    let forgotten = 0;
    for (const [ttl, sightings] of this.seen) {
      for (const [id, at] of sightings) {
        if (now.getTime() - at < ttl) break;
        sightings.delete(id);
        forgotten++;
      }
    }
    return forgotten;
  }
}
