/**
 * A run's outcome is told after its final state is saved; a process that stops in between must
 * not leave the requester untold and the cards at "Pending" (outcome-told-net.ts). The run records
 * `request.outcome.told` once told; the net tells a run that ended within a day owing that mark
 * and lacking it, under the run's execution lease, once, and leaves alone runs that ended before
 * the mark existed, runs told already, runs being revoked and runs another holder still tells.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { executionLeaseKey } from '../../src/flows/access-lease';
import { Executor, type PlanRunner } from '../../src/flows/executor';
import type { RequestNotifier } from '../../src/flows/notifier';
import { OUTCOME_NET_LOOKBACK_MS, OUTCOME_NET_RECHECK_MS, outcomeEntryKey } from '../../src/flows/outcome-told-net';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';
import { ERROR, INFO, logLines } from './support/log-lines';
import { APPROVER, pendingRequest } from './support/requests';

const ID = 'R-OUTCOME1';
const log = createLogger({ level: 'silent' });

/** What a notifier was told: `state` per call. */
class Told implements RequestNotifier {
  readonly states: string[] = [];
  /** While set, a final state's telling waits for it (a Teams that never answers a dying process). */
  hang?: Promise<void>;
  /** Resolves once a final state reached this notifier. */
  reachedFinal!: Promise<void>;
  private reached!: () => void;
  fail = false;
  constructor() {
    this.reachedFinal = new Promise((r) => (this.reached = r));
  }
  async requestChanged(request: AccessRequest): Promise<void> {
    this.states.push(request.state);
    if (request.state !== 'succeeded' && request.state !== 'failed') return;
    this.reached();
    if (this.hang) await this.hang;
    if (this.fail) throw new Error('the end job could not be stored');
  }
}

function setup() {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const leases = new MemoryLeaseStore(() => clock.now());
  const runner: PlanRunner = { run: async () => ({ summary: 'done', azureRequestIds: [] }) };
  const retried: AuditEvent[] = [];
  /** One instance: its own notifier, its own lease owner, the shared stores. */
  const instance = (owner: string, told = new Told(), auditLog = audit, logger = log) => ({
    told,
    executor: new Executor(
      store,
      auditLog,
      clock,
      { grant: runner, secret: runner },
      told,
      logger,
      { leases, owner, ttlMs: MINUTE },
      async (event) => void retried.push(event),
    ),
  });
  const approved = (overrides: Partial<AccessRequest> = {}): AccessRequest =>
    pendingRequest({
      id: ID,
      state: 'approved',
      version: 2,
      decision: { approved: true, by: APPROVER, at: clock.now().toISOString() },
      ...overrides,
    });
  /** `action:outcome` of the request's trail. */
  const trail = async () => (await audit.forRequest(ID)).map((e) => `${e.action}:${e.outcome}`);
  /** Stores `id` as a run that ended (succeeded) now. */
  const ended = (id: string, overrides: Partial<AccessRequest> = {}) =>
    store.create(
      pendingRequest({ id, state: 'succeeded', version: 4, updatedAt: clock.now().toISOString(), ...overrides }),
    );
  /** Appends `id`'s final entry under `idempotencyKey` (this release's runs key it with outcomeEntryKey). */
  const finalEntry = (id: string, idempotencyKey: string) =>
    audit.append({
      actor: { objectId: 'acrbot', name: 'acrbot' },
      tenantId: 't',
      requestId: id,
      targetIds: [],
      action: 'request.succeeded',
      outcome: 'succeeded',
      idempotencyKey,
    });
  return { clock, store, audit, leases, instance, approved, trail, retried, ended, finalEntry };
}

/** A run of `a` that saved its outcome and stopped before telling it (its notifier never answers). */
async function savedNotTold(t: ReturnType<typeof setup>) {
  const a = t.instance('A');
  let release!: () => void;
  a.told.hang = new Promise<void>((r) => (release = r));
  await t.store.create(t.approved());
  void a.executor.schedule(ID);
  await a.told.reachedFinal;
  expect((await t.store.get(ID))!.state).toBe('succeeded');
  /** Lets the stopped run go on (the test's clean-up), and waits for it. */
  const finish = async () => {
    release();
    await a.executor.drain();
  };
  return { a, finish };
}

describe('the mark a run writes once its outcome is told', () => {
  test('a run that ends writes its keyed final entry, tells, then records it told; a later pass tells nothing', async () => {
    const t = setup();
    const { executor, told } = t.instance('A');
    await t.store.create(t.approved());
    await executor.schedule(ID);
    expect(told.states).toEqual(['executing', 'succeeded']);
    expect(await t.trail()).toEqual([
      'execution.started:executing',
      'request.succeeded:succeeded',
      'request.outcome.told:sent',
    ]);
    const entries = await t.audit.forRequest(ID);
    expect(entries[1]!.idempotencyKey).toMatch(new RegExp(`^request\\.outcome:${ID}:`));
    expect(entries[2]).toMatchObject({
      idempotencyKey: `request.outcome.told:${ID}`,
      detail: 'cards and the outcome message sent to Teams (a refusal is logged)',
    });
    await t.instance('B').executor.tellUntoldOutcomes();
    await executor.tellUntoldOutcomes();
    expect(told.states).toEqual(['executing', 'succeeded']);
  });

  test('a follow-up that failed after the cards is logged and recorded: telling again would repeat the message', async () => {
    const t = setup();
    const a = t.instance('A');
    a.told.fail = true;
    await t.store.create(t.approved());
    await a.executor.schedule(ID);
    expect((await t.audit.forRequest(ID)).at(-1)).toMatchObject({
      action: 'request.outcome.told',
      detail:
        'cards and the outcome message sent to Teams (a refusal is logged); the follow-up after them failed (logged)',
    });
    const b = t.instance('B');
    await b.executor.tellUntoldOutcomes();
    expect(b.told.states).toEqual([]);
  });

  test('a mark whose append fails goes to an audit.retry job under its key', async () => {
    const t = setup();
    const failing = Object.assign(Object.create(t.audit) as MemoryAuditLog, {
      append: (event: AuditEvent) =>
        event.action === 'request.outcome.told' ? Promise.reject(new Error('store down')) : t.audit.append(event),
    });
    const { executor } = t.instance('A', new Told(), failing);
    await t.store.create(t.approved());
    await executor.schedule(ID);
    expect(t.retried).toEqual([
      expect.objectContaining({ action: 'request.outcome.told', idempotencyKey: `request.outcome.told:${ID}` }),
    ]);
  });
});

describe('the net for outcomes saved but not told', () => {
  test('a run stopped after its save is told by the next instance once the dead holder’s lease expired, once', async () => {
    const t = setup();
    const { finish } = await savedNotTold(t);
    const b = t.instance('B');
    // The stopped run's lease is still valid: left to its holder.
    await b.executor.tellUntoldOutcomes();
    expect(b.told.states).toEqual([]);
    expect(await t.leases.holder(executionLeaseKey(ID))).toMatchObject({ owner: 'A' });
    // Once it expired, the next resume sweep's pass (not a full one yet) tells the run it left owed.
    t.clock.advance(MINUTE + 1);
    await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    expect(b.told.states).toEqual(['succeeded']);
    expect((await t.trail()).filter((a) => a.startsWith('request.outcome.told'))).toEqual([
      'request.outcome.told:sent',
    ]);
    // Told and recorded: no later pass, full or not, on this instance or another, tells it again.
    t.clock.advance(OUTCOME_NET_RECHECK_MS);
    await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    const c = t.instance('C');
    await c.executor.tellUntoldOutcomes();
    expect(b.told.states).toEqual(['succeeded']);
    expect(c.told.states).toEqual([]);
    expect(await t.leases.holder(executionLeaseKey(ID))).toBeUndefined();
    await finish();
  });

  test('two instances at once tell it once: the one telling holds the run’s lease, the other then finds the mark', async () => {
    const t = setup();
    const { finish } = await savedNotTold(t);
    t.clock.advance(MINUTE + 1);
    const b = t.instance('B');
    const c = t.instance('C');
    let letBTell!: () => void;
    b.told.hang = new Promise<void>((r) => (letBTell = r));
    const bPass = b.executor.tellUntoldOutcomes();
    await b.told.reachedFinal;
    await c.executor.tellUntoldOutcomes();
    expect(c.told.states).toEqual([]);
    letBTell();
    await bPass;
    await c.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    expect(b.told.states).toEqual(['succeeded']);
    expect(c.told.states).toEqual([]);
    await finish();
  });

  test('a run still telling in this process is left to it (its lease is this owner’s)', async () => {
    const t = setup();
    const a = t.instance('A');
    let release!: () => void;
    a.told.hang = new Promise<void>((r) => (release = r));
    await t.store.create(t.approved());
    void a.executor.schedule(ID);
    await a.told.reachedFinal;
    await a.executor.tellUntoldOutcomes();
    expect(a.told.states).toEqual(['executing', 'succeeded']);
    release();
    await a.executor.drain();
    expect((await t.trail()).filter((x) => x.startsWith('request.outcome.told'))).toHaveLength(1);
  });

  test('runs that ended before the mark existed, more than a day ago, finished by an older release, or are being revoked are not told again', async () => {
    const t = setup();
    const { ended, finalEntry } = t;
    // Ended before this release: its final entry's key is a bare random one.
    await ended('R-OLDREL01');
    await finalEntry('R-OLDREL01', '6b1f2c9e-0000-4000-8000-000000000001');
    // Owing, but ended more than a day ago (written again since: a later mark on its record).
    await finalEntry('R-LONGAGO1', outcomeEntryKey('R-LONGAGO1'));
    t.clock.advance(OUTCOME_NET_LOOKBACK_MS + 1);
    await ended('R-LONGAGO1');
    // Owing, recent, but its revocation began: the end's notice tells the requester.
    await ended('R-REVOKING', { access: { revokingSince: t.clock.now().toISOString() } });
    await finalEntry('R-REVOKING', outcomeEntryKey('R-REVOKING'));
    // This release's attempt wrote its keyed final entry and stopped; an older release (no mark,
    // its own final entry under a random key) finished the run and told it during the rollout.
    await ended('R-ROLLOUT1');
    await finalEntry('R-ROLLOUT1', outcomeEntryKey('R-ROLLOUT1'));
    await finalEntry('R-ROLLOUT1', '6b1f2c9e-0000-4000-8000-000000000002');
    // Owing and recent: the only one told.
    await ended('R-OWING001', { updatedAt: t.clock.now().toISOString() });
    await finalEntry('R-OWING001', outcomeEntryKey('R-OWING001'));
    const b = t.instance('B');
    const requests: string[] = [];
    const seen = b.told.requestChanged.bind(b.told);
    b.told.requestChanged = async (request) => {
      requests.push(request.id);
      await seen(request);
    };
    await b.executor.tellUntoldOutcomes();
    expect(requests).toEqual(['R-OWING001']);
  });
});

describe('runs the net cannot check or tell, through a store outage', () => {
  const RUNS = 200;
  const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
  /** A request id of its own for each of `RUNS` runs. */
  const idOf = (i: number) => `R-NET${ALPHABET[Math.floor(i / 30)]}${ALPHABET[i % 30]}XXX`;

  /** RUNS runs that ended just now owing their mark (saved, never told). */
  async function owingRuns(t: ReturnType<typeof setup>) {
    for (let i = 0; i < RUNS; i++) {
      const id = idOf(i);
      await t.ended(id);
      await t.finalEntry(id, outcomeEntryKey(id));
    }
  }

  test('200 runs whose trails cannot be read: one error line, not one per run and sweep; every run read again at every sweep', async () => {
    const t = setup();
    await owingRuns(t);
    const { lines, logger } = logLines();
    let down = true;
    const reads: string[] = [];
    const failing = Object.assign(Object.create(t.audit) as MemoryAuditLog, {
      forRequest: (id: string) => {
        reads.push(id);
        return down ? Promise.reject(new Error('store unreachable')) : t.audit.forRequest(id);
      },
    });
    const b = t.instance('B', new Told(), failing, logger);
    // The start's full pass, then a resume sweep every 30 s for five minutes.
    await b.executor.tellUntoldOutcomes();
    for (let i = 0; i < 10; i++) {
      t.clock.advance(30 * SECOND);
      await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    }
    // Never dropped: each of the 200 read again at every pass.
    expect(reads).toHaveLength(RUNS * 11);
    const errors = lines.filter((l) => l.level >= ERROR);
    expect(errors).toEqual([
      expect.objectContaining({
        msg: expect.stringMatching(/^the outcomes of some finished runs could not be checked or told/),
        failed: RUNS,
        trailsUnread: RUNS,
        tellingFailed: 0,
        err: expect.objectContaining({ message: 'store unreachable' }),
      }),
    ]);
    expect(errors[0]!.requestIds).toHaveLength(10);
    // The store answers again: all told, and one line says so.
    down = false;
    t.clock.advance(30 * SECOND);
    await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    expect(b.told.states).toHaveLength(RUNS);
    expect(lines.filter((l) => l.level === INFO && /told again/.test(l.msg))).toEqual([
      expect.objectContaining({ failedSweeps: 11 }),
    ]);
    expect(lines.filter((l) => l.level >= ERROR)).toHaveLength(1);
  });

  test('200 runs whose telling fails (their lease cannot be taken): one line with the count, the next pass none', async () => {
    const t = setup();
    await owingRuns(t);
    const { lines, logger } = logLines();
    jest.spyOn(t.leases, 'acquire').mockRejectedValue(new Error('lease store unreachable'));
    const b = t.instance('B', new Told(), t.audit, logger);
    await b.executor.tellUntoldOutcomes();
    t.clock.advance(30 * SECOND);
    await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    expect(t.leases.acquire).toHaveBeenCalledTimes(RUNS * 2);
    expect(lines.filter((l) => l.level >= ERROR)).toEqual([
      expect.objectContaining({
        failed: RUNS,
        trailsUnread: 0,
        tellingFailed: RUNS,
        err: expect.objectContaining({ message: 'lease store unreachable' }),
      }),
    ]);
  });

  test('a listing that fails is tried again at the next resume sweep, not an hour later; its runs are told once it answers', async () => {
    const t = setup();
    await owingRuns(t);
    const { logger } = logLines();
    const listing = jest.spyOn(t.store, 'listByState').mockRejectedValueOnce(new Error('store unreachable'));
    const b = t.instance('B', new Told(), t.audit, logger);
    // The start's full pass: its listing fails, and nothing is told.
    await b.executor.tellUntoldOutcomes();
    expect(b.told.states).toEqual([]);
    // The next resume sweep, 30 s later, lists again (a full pass) and tells them all.
    t.clock.advance(30 * SECOND);
    await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    expect(listing).toHaveBeenCalledTimes(2);
    expect(b.told.states).toHaveLength(RUNS);
  });

  test('a listing failing for an hour of sweeps logs a handful of error lines, not 120; a success logs one line and waits the hour', async () => {
    const t = setup();
    await owingRuns(t);
    const { lines, logger } = logLines();
    const listing = jest.spyOn(t.store, 'listByState').mockRejectedValue(new Error('store unreachable'));
    const b = t.instance('B', new Told(), t.audit, logger);
    // The start's pass, then a resume sweep every 30 s for an hour: each lists again.
    await b.executor.tellUntoldOutcomes();
    for (let i = 0; i < 120; i++) {
      t.clock.advance(30 * SECOND);
      await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    }
    expect(listing).toHaveBeenCalledTimes(121);
    const errors = lines.filter((l) => l.level >= ERROR);
    expect(errors[0]).toMatchObject({
      msg: expect.stringMatching(/^looking for run outcomes left untold failed; every resume sweep tries again/),
      err: expect.objectContaining({ message: 'store unreachable' }),
    });
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.length).toBeLessThan(10);
    for (const line of errors.slice(1))
      expect(line).toMatchObject({
        msg: 'looking for run outcomes left untold still failing',
        failedSweeps: expect.any(Number),
      });
    expect(b.told.states).toEqual([]);
    // The store answers again: the runs are told, and one line says the listing works again.
    listing.mockRestore();
    t.clock.advance(30 * SECOND);
    await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    expect(b.told.states).toHaveLength(RUNS);
    const again = () =>
      lines.filter((l) => l.level === INFO && /^looking for run outcomes left untold succeeded/.test(l.msg));
    expect(again()).toEqual([expect.objectContaining({ failedSweeps: 121 })]);
    // That full pass succeeded: the sweeps of the next hour do not list again, nor log again.
    const relisted = jest.spyOn(t.store, 'listByState');
    for (let i = 0; i < 10; i++) {
      t.clock.advance(30 * SECOND);
      await b.executor.tellUntoldOutcomes({ atMostEveryMs: OUTCOME_NET_RECHECK_MS });
    }
    expect(relisted).not.toHaveBeenCalled();
    expect(again()).toHaveLength(1);
    expect(lines.filter((l) => l.level >= ERROR)).toHaveLength(errors.length);
  });
});
