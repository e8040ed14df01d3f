/**
 * reminderSiblings (reminder-siblings.ts), from breaking it: which of a requester's other accesses
 * a grouped reminder takes along. Not one being revoked, one whose end has passed, one a grouped
 * card already told, nor one of another tenant asked in the same chat; one found by its requester
 * copy when an approver copy comes first; a week-before reminder up to the full look-ahead early;
 * the earliest of its reminders due is the one taken; and only a pending extension leaves a row
 * without Extend. The requester's reminder claim: one per requester (whatever the case of their
 * id, whichever job of this instance), held back once, past the claim's end, and released.
 * Real memory stores, read directly.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { accessReminderJobId, reminderEntryKey } from '../../src/flows/reminder-end';
import { claimRequesterReminders, REMINDER_HOLD_MS, reminderSiblings } from '../../src/flows/reminder-siblings';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { DAY, granted, NOW } from './support/reminder-lifecycle';

const RILEY = 'a:riley-chat';
const CHANNEL = '19:approvers@thread.tacv2';
const OTHER_TENANT = '6c2f3d4e-0000-4000-8000-00000000b0b0';
const base = { serviceUrl: 'https://smba.example/emea/', bot: { id: 'app-1', name: 'acrbot' } };

/** A grant like {@link granted}, ending `endsInMs` after NOW. */
function grant(id: string, endsInMs: number, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    ...granted,
    id,
    access: { durationMs: 30 * DAY, expiresAt: new Date(Date.parse(NOW) + endsInMs).toISOString() },
    ...overrides,
  };
}

/** The access whose own reminder is being posted: ends in a day. */
const lead = grant(granted.id, DAY);

async function world(remindersMs: number[] = [DAY]) {
  const clock = new FakeClock(NOW);
  const stores = memoryStores(clock);
  const jobs = new Map<string, ScheduledJob>();
  const deps = {
    store: stores.requests,
    audit: stores.audit,
    jobs: { get: async (id: string) => jobs.get(id) },
    clock,
    settings: { remindersMs },
  } as unknown as Parameters<typeof reminderSiblings>[0];
  /** Stores `r` with its requester copy in `chat` (after an approver copy in a channel when `approverFirst`) and its `beforeMs` reminder job. */
  const add = async (
    r: AccessRequest,
    opts: { chat?: string; approverFirst?: boolean; beforeMs?: number; job?: boolean } = {},
  ) => {
    await stores.requests.create(r);
    if (opts.approverFirst)
      await stores.requests.addCardCopy({
        requestId: r.id,
        role: 'approver',
        activityId: `act-a-${r.id}`,
        conversation: { ...base, conversation: { id: CHANNEL, tenantId: r.tenantId } },
      });
    await stores.requests.addCardCopy({
      requestId: r.id,
      role: 'requester',
      activityId: `act-${r.id}`,
      conversation: { ...base, conversation: { id: opts.chat ?? RILEY, tenantId: r.tenantId } },
    });
    if (opts.job !== false) addJob(r, opts.beforeMs ?? DAY);
  };
  /** Schedules `r`'s reminder `beforeMs` before its end. */
  const addJob = (r: AccessRequest, beforeMs: number) => {
    const id = accessReminderJobId(r.id, beforeMs);
    jobs.set(id, {
      id,
      kind: 'access.remind',
      dueAt: new Date(Date.parse(r.access!.expiresAt!) - beforeMs).toISOString(),
      requestId: r.id,
      payload: { beforeMs },
      attempts: 0,
    });
  };
  const listedIds = async () => (await reminderSiblings(deps, lead)).listed.map((s) => s.request.id);
  return { stores, add, addJob, deps, listedIds };
}

describe('accesses not taken along', () => {
  test('one being revoked', async () => {
    const w = await world();
    await w.add(lead);
    await w.add(grant('R-BBBBBBB2', DAY + 2 * HOUR));
    await w.add(
      grant('R-CCCCCCC3', DAY + 3 * HOUR, {
        access: {
          durationMs: 30 * DAY,
          expiresAt: new Date(Date.parse(NOW) + DAY + 3 * HOUR).toISOString(),
          revokingSince: NOW,
        },
      }),
    );
    expect(await w.listedIds()).toEqual(['R-BBBBBBB2']);
  });

  test('one whose end has passed, its reminder job still scheduled (its revocation not run yet)', async () => {
    const w = await world();
    await w.add(lead);
    await w.add(grant('R-BBBBBBB2', -30 * MINUTE));
    expect(await w.listedIds()).toEqual([]);
  });

  test('one whose reminder of this end a grouped card already told', async () => {
    const w = await world();
    await w.add(lead);
    const told = grant('R-BBBBBBB2', DAY + 2 * HOUR);
    await w.add(told);
    const jobId = accessReminderJobId(told.id, DAY);
    await w.stores.audit.append({
      actor: { objectId: 'acrbot', name: 'acrbot' },
      tenantId: told.tenantId,
      action: 'access.reminded',
      requestId: told.id,
      targetIds: [],
      outcome: 'reminded',
      idempotencyKey: reminderEntryKey(jobId, told.access!.expiresAt!),
    });
    expect(await w.listedIds()).toEqual([]);
  });

  test("one of the requester's in another tenant, even asked in the same chat", async () => {
    const w = await world();
    await w.add(lead);
    await w.add(grant('R-BBBBBBB2', DAY + 2 * HOUR, { tenantId: OTHER_TENANT }));
    expect(await w.listedIds()).toEqual([]);
  });
});

test('an access whose approver copy comes before its requester copy is found in the requester’s chat', async () => {
  const w = await world();
  await w.add(lead);
  await w.add(grant('R-BBBBBBB2', DAY + 2 * HOUR), { approverFirst: true });
  expect(await w.listedIds()).toEqual(['R-BBBBBBB2']);
});

test('a week-before reminder is taken up to the full look-ahead (24 hours) early, no more', async () => {
  const w = await world([7 * DAY, DAY]);
  await w.add(lead);
  await w.add(grant('R-BBBBBBB2', 7 * DAY + 23 * HOUR + 30 * MINUTE), { beforeMs: 7 * DAY });
  await w.add(grant('R-CCCCCCC3', 7 * DAY + 24 * HOUR + 30 * MINUTE), { beforeMs: 7 * DAY });
  expect(await w.listedIds()).toEqual(['R-BBBBBBB2']);
});

test('only a pending extension leaves its row without Extend: one being carried out does not', async () => {
  const w = await world();
  await w.add(lead);
  const running = grant('R-BBBBBBB2', DAY + 2 * HOUR);
  const waiting = grant('R-CCCCCCC3', DAY + 3 * HOUR);
  await w.add(running);
  await w.add(waiting);
  const extension = (id: string, of: AccessRequest, state: AccessRequest['state']) =>
    w.stores.requests.create({ ...granted, id, state, extendsRequestId: of.id, access: { durationMs: 7 * DAY } });
  await extension('R-DDDDDDD4', running, 'executing');
  await extension('R-EEEEEEE5', waiting, 'pending');
  const { listed } = await reminderSiblings(w.deps, lead);
  expect(listed.map((s) => [s.request.id, s.extensionWaiting])).toEqual([
    ['R-BBBBBBB2', undefined],
    ['R-CCCCCCC3', 'R-EEEEEEE5'],
  ]);
});

test('of two reminders of an access both due by now, the earlier one (a week before) is the one taken', async () => {
  const w = await world([7 * DAY, DAY]);
  await w.add(lead);
  const late = grant('R-BBBBBBB2', DAY + 2 * HOUR);
  // Its week-before reminder never ran (the scheduler was down); its day-before one is due in 2 hours.
  await w.add(late, { beforeMs: 7 * DAY });
  w.addJob(late, DAY);
  const { listed } = await reminderSiblings(w.deps, lead);
  expect(listed.find((s) => s.request.id === late.id)?.jobId).toBe(accessReminderJobId(late.id, 7 * DAY));
});

describe("the requester's reminder claim", () => {
  function claimWorld() {
    const clock = new FakeClock(NOW);
    const stores = memoryStores(clock);
    const moves: Array<{ job: ScheduledJob; dueAt: Date }> = [];
    const deps = {
      jobs: { moveIfUnchanged: async (job: ScheduledJob, dueAt: Date) => void moves.push({ job, dueAt }) },
      clock,
      settings: { remindersMs: [DAY], leases: { store: stores.leases, owner: 'this-instance' } },
    } as unknown as Parameters<typeof claimRequesterReminders>[0];
    const job = (
      id: string,
      payload: Record<string, unknown> = {},
      revision: string | null = 'rev-1',
    ): ScheduledJob => ({
      id: accessReminderJobId(id, DAY),
      kind: 'access.remind',
      dueAt: NOW,
      requestId: id,
      payload,
      attempts: 0,
      ...(revision !== null && { revision }),
    });
    return { clock, deps, moves, job };
  }
  const other = grant('R-BBBBBBB2', DAY + HOUR);

  test("a second job of this instance finds it held: moved past the claim's end, once", async () => {
    const w = claimWorld();
    expect(await claimRequesterReminders(w.deps, lead, w.job(lead.id))).not.toBe('held');
    expect(await claimRequesterReminders(w.deps, other, w.job(other.id))).toBe('held');
    expect(w.moves).toHaveLength(1);
    expect(w.moves[0]!.dueAt.getTime()).toBe(Date.parse(NOW) + REMINDER_HOLD_MS);
    // Past the claim's end (it lasts 2 minutes).
    expect(REMINDER_HOLD_MS).toBeGreaterThan(2 * MINUTE);
    expect(w.moves[0]!.job.payload).toMatchObject({ heldForClaimAt: NOW });
  });

  test("the requester's id in another case is the same requester", async () => {
    const w = claimWorld();
    const shouting = { ...other, requester: { ...other.requester, objectId: other.requester.objectId.toUpperCase() } };
    await claimRequesterReminders(w.deps, lead, w.job(lead.id));
    expect(await claimRequesterReminders(w.deps, shouting, w.job(other.id))).toBe('held');
  });

  test('a job that held back once already, or that cannot be moved conditionally, goes on unclaimed', async () => {
    const w = claimWorld();
    await claimRequesterReminders(w.deps, lead, w.job(lead.id));
    expect(await claimRequesterReminders(w.deps, other, w.job(other.id, { heldForClaimAt: NOW }))).not.toBe('held');
    expect(await claimRequesterReminders(w.deps, other, w.job(other.id, {}, null))).not.toBe('held');
    expect(w.moves).toEqual([]);
  });

  test('released, it is free for the next run at once', async () => {
    const w = claimWorld();
    const first = await claimRequesterReminders(w.deps, lead, w.job(lead.id));
    if (first === 'held') throw new Error('expected the claim');
    await first.release();
    expect(await claimRequesterReminders(w.deps, other, w.job(other.id))).not.toBe('held');
  });
});
