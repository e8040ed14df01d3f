/**
 * The net for expiries stored without their entry (expiry-net.ts, unaudited-state-net.ts, run by
 * the net for half-done decisions): a request stored `expired` whose process died before its
 * `request.expired` entry gets that entry once, after the grace of an expiry that may still be
 * writing it; one with its entry gets none; the net's entry and the expiry's own are keyed by the
 * expiry, and the net writes the request again first, so an expiry whose entry failed cannot undo
 * what the net audited. Real memory stores with conditional writes and the real RequestService.
 */
import type { AccessRequest } from '../../src/domain/request';
import { transition } from '../../src/domain/request';
import { expiredEntryKey, STORED_EXPIRIES } from '../../src/flows/expiry-net';
import { CLICK_GRACE_MS } from '../../src/flows/review-reject-net';
import { UNAUDITED_STATE_LOOKBACK_MS, UnauditedStateNet } from '../../src/flows/unaudited-state-net';
import { createLogger } from '../../src/observability/logger';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule } from './support/policy-fixtures';
import { pendingRequest } from './support/requests';

/** The service, and a pending request stored at its clock's time, its window ended. */
async function setup() {
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) } });
  const request = pendingRequest({ id: 'R-EXPIRES1', createdAt: t.clock.now().toISOString() });
  await t.store.create(request);
  t.clock.set(request.expiresAt);
  const expired = async () => (await t.audit.forRequest(request.id)).filter((e) => e.action === 'request.expired');
  return { ...t, request, expired };
}

/**
 * The expiry job runs and its process dies after storing the expiry, as its entry is appended:
 * nothing after that point runs (no entry, no undo). Answers the stored expired request.
 */
async function expiryDiesBeforeItsEntry(t: Awaited<ReturnType<typeof setup>>): Promise<AccessRequest> {
  let dead = false;
  const append = t.audit.append.bind(t.audit);
  const update = t.store.update.bind(t.store);
  const appends = jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action !== 'request.expired') return append(event);
    dead = true;
    throw new Error('the process died here');
  });
  const updates = jest.spyOn(t.store, 'update').mockImplementation(async (next) => {
    if (dead) throw new Error('the process is dead');
    return update(next);
  });
  await expect(t.service.expireIfDue(t.request.id)).rejects.toThrow();
  appends.mockRestore();
  updates.mockRestore();
  const left = (await t.store.get(t.request.id))!;
  expect(left.state).toBe('expired');
  expect(await t.expired()).toEqual([]);
  return left;
}

test('an expiry stored without its entry gets it once, after the grace, keyed by the expiry', async () => {
  const t = await setup();
  const left = await expiryDiesBeforeItsEntry(t);

  // Moments later the expiry's own process may still be writing it: left alone.
  await t.service.finishStoredDecisions();
  expect(await t.expired()).toEqual([]);

  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(await t.expired()).toEqual([
    expect.objectContaining({
      actor: { objectId: 'acrbot', name: 'acrbot' },
      outcome: 'expired',
      idempotencyKey: expiredEntryKey(t.request.id, left.updatedAt),
      detail: expect.stringContaining(`the expiry was stored at ${left.updatedAt}`),
    }),
  ]);
  expect((await t.store.get(t.request.id))!.state).toBe('expired');

  // Audited: a later pass, and a fresh net (a next start's) on the same stores, write nothing more.
  await t.service.finishStoredDecisions();
  const fresh = new UnauditedStateNet(
    STORED_EXPIRIES,
    { ...t, log: createLogger({ level: 'silent' }) },
    CLICK_GRACE_MS,
  );
  expect(await fresh.pass()).toEqual({ audited: [], failed: 0 });
  expect(await t.expired()).toHaveLength(1);
});

test("the net's own entry failing leaves the expiry's time: the next pass writes it at that time, under the expiry's key", async () => {
  const t = await setup();
  const left = await expiryDiesBeforeItsEntry(t);
  t.clock.advance(CLICK_GRACE_MS);
  const append = t.audit.append.bind(t.audit);
  const appends = jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'request.expired') throw new Error('the audit store timed out');
    return append(event);
  });
  await t.service.finishStoredDecisions();
  appends.mockRestore();
  expect(await t.expired()).toEqual([]);
  // The net's write before its entry landed: it moved the version only.
  const claimed = (await t.store.get(t.request.id))!;
  expect(claimed).toEqual({ ...left, version: left.version + 1 });

  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(await t.expired()).toEqual([
    expect.objectContaining({
      idempotencyKey: expiredEntryKey(t.request.id, left.updatedAt),
      detail: expect.stringContaining(`the expiry was stored at ${left.updatedAt} `),
    }),
  ]);
});

test('an expiry stored directly, as an extension closed with its access is, gets its entry too', async () => {
  const t = await setup();
  // The close of an extension whose access ended stores the expiry first (close-pending-extensions.ts).
  await t.store.update(transition(t.request, { type: 'expire', at: t.clock.now() }));
  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(await t.expired()).toHaveLength(1);
});

test('an expiry audited by its own process gets no second entry', async () => {
  const t = await setup();
  expect(await t.service.expireIfDue(t.request.id)).toBe(true);
  const stored = (await t.store.get(t.request.id))!;
  expect(await t.expired()).toEqual([
    expect.objectContaining({ idempotencyKey: expiredEntryKey(t.request.id, stored.updatedAt) }),
  ]);

  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(await t.expired()).toHaveLength(1);
  expect((await t.store.get(t.request.id))!.version).toBe(stored.version);
});

test("an expiry's append slow past the grace lands after the net's: one entry, and the expiry stands", async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let first = true;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'request.expired' && first) {
      first = false;
      // The append stalls; a start elsewhere runs once the grace is over.
      t.clock.advance(CLICK_GRACE_MS);
      await t.service.finishStoredDecisions();
    }
    return append(event);
  });
  expect(await t.service.expireIfDue(t.request.id)).toBe(true);
  // The net's, which the expiry's own append found under its key.
  expect(await t.expired()).toEqual([expect.objectContaining({ detail: expect.stringMatching(/^written late/) })]);
  expect((await t.store.get(t.request.id))!.state).toBe('expired');
});

test('an expiry whose entry failed, slow past the grace, cannot undo what the net audited meanwhile', async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let first = true;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action !== 'request.expired' || !first) return append(event);
    first = false;
    // The expiry's entry fails, slowly; before its undo, a start elsewhere finds the stored expiry.
    t.clock.advance(CLICK_GRACE_MS);
    await t.service.finishStoredDecisions();
    throw new Error('the audit store timed out');
  });
  await expect(t.service.expireIfDue(t.request.id)).rejects.toMatchObject({ code: 'audit.unavailable' });
  expect((await t.store.get(t.request.id))!.state).toBe('expired');
  expect(await t.expired()).toHaveLength(1);
});

test('an expiry older than the lookback is not read', async () => {
  const t = await setup();
  await t.store.update(transition(t.request, { type: 'expire', at: t.clock.now() }));
  t.clock.advance(UNAUDITED_STATE_LOOKBACK_MS + 1);
  const reads = jest.spyOn(t.audit, 'forRequest');
  await t.service.finishStoredDecisions();
  expect(reads).not.toHaveBeenCalledWith(t.request.id);
  expect(await t.expired()).toEqual([]);
});
