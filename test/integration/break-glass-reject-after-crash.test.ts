/**
 * G11, G17: a Reject is stored first, then audited, then the grant revoked. A process that dies
 * after the store must not leave a rejected break-glass grant running until its own end, nor a
 * rejection missing from the trail: the next start finishes it (review-reject-net.ts), and so does
 * the next click on its card — the entry written once (keyed), the grant revoked by the reviewer.
 * A plain rejection stored without its entry gets it at a start once its click cannot still be
 * writing it, and so does a review (CLICK_GRACE_MS): a start moments after the crash leaves it,
 * and the next drift check looks again. So does an expiry (expiry-net.ts).
 *
 * The death is the write that throws once it has landed: nothing after it runs, as after a kill
 * at that point. One sandbox and one Bot Connector for every start, as Azure and Teams outlive a
 * restart; a SQLite file in a temporary directory.
 */
import { join } from 'node:path';
import type { AccessRequest } from '../../src/domain/request';
import { transition } from '../../src/domain/request';
import { CLICK_GRACE_MS, REVIEW_NET_RECHECK_MS } from '../../src/flows/review-reject-net';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const olive = SANDBOX_USERS.oncall as TeamsUser;
const alex = { objectId: SANDBOX_USERS.approver.objectId, name: SANDBOX_USERS.approver.name };
let now = new Date('2026-11-30T10:00:00Z');
const clock = { now: () => now };

const tempDirs = new TempDirs();
let sandbox: Sandbox | undefined;
let connector: CapturingConnector | undefined;
let h: Harness | undefined;
let env: Record<string, string> = {};

/** Starts (or restarts) the bot on the test's store, sandbox and connector; its start's pass of the net done. */
async function begin(): Promise<Harness> {
  h = await startHarness(env, { clock, sandbox, sweepIntervalMs: 0 }, { connector: connector! });
  // Not awaited by the start: a call while it runs waits for it (after it, a pass finds nothing more).
  await h.app.services.requests.finishStoredDecisions();
  return h;
}

/** Time passes beyond the grace of a click that may still be finishing its decision. */
function laterThanAClick(): void {
  now = new Date(now.getTime() + CLICK_GRACE_MS);
}

/** Stops the running bot and starts it again on the same store: the next start. */
async function restart(): Promise<Harness> {
  await h!.stop();
  return begin();
}

beforeEach(async () => {
  now = new Date('2026-11-30T10:00:00Z');
  sandbox = await startSandbox();
  connector = new CapturingConnector();
  await connector.start();
  const dir = tempDirs.make('acrbot-bg-reject-crash-');
  env = {
    ACRBOT_POLICY: writePolicyFile(dir, breakGlassPolicyYaml()),
    ACRBOT_STORAGE: `sqlite:${join(dir, 'acrbot.db')}`,
  };
  await begin();
});

afterEach(async () => {
  jest.restoreAllMocks();
  try {
    await h?.stop();
    await sandbox?.stop();
    await connector?.stop();
  } finally {
    h = sandbox = connector = undefined;
    tempDirs.removeAll();
  }
});

/** Olive's break-glass grant, run. */
async function breakGlassGranted(): Promise<AccessRequest> {
  const request = await h!.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
  expect((await h!.settle(request.id)).state).toBe('succeeded');
  return request;
}

/** The next write of `h`'s store that matches `when` lands, then the process "dies": it throws, once. */
function diesAfterWrite(when: (next: AccessRequest) => boolean): void {
  const store = h!.app.store;
  const update = store.update.bind(store);
  let died = false;
  jest.spyOn(store, 'update').mockImplementation(async (next) => {
    await update(next);
    if (died || !when(next)) return;
    died = true;
    throw new Error('the process died here');
  });
}

/** The audit actions of `id`, oldest first. */
async function actions(id: string): Promise<string[]> {
  return (await h!.app.audit.forRequest(id)).map((e) => e.action);
}

/** Alex rejects `id` from its card; the card's text answered. */
async function reject(id: string, comment: string): Promise<string> {
  const res = await h!.click(users.approver, 'reject', { requestId: id, comment });
  return cardText({ attachments: [{ content: res.body?.value }] });
}

const rejectedReview = (next: AccessRequest) => next.policy?.review?.outcome === 'rejected';

test('died after the review was stored: the next start audits the rejection once and revokes the grant', async () => {
  const bg = await breakGlassGranted();
  diesAfterWrite(rejectedReview);
  await reject(bg.id, 'not an emergency');
  const left = (await h!.app.store.get(bg.id))!;
  expect(left).toMatchObject({ state: 'succeeded', policy: { review: { outcome: 'rejected' } } });
  expect(await actions(bg.id)).not.toContain('breakglass.review.rejected');

  // A start moments later: its click may still be on it (another instance's), so it is left.
  await restart();
  expect((await h!.app.store.get(bg.id))!.state).toBe('succeeded');
  expect(await actions(bg.id)).not.toContain('breakglass.review.rejected');

  laterThanAClick();
  await restart();
  const after = (await h!.app.store.get(bg.id))!;
  expect(after.state).toBe('revoked');
  expect(after.access?.revokedBy?.objectId).toBe(alex.objectId);
  const entries = await h!.app.audit.forRequest(bg.id);
  expect(entries.filter((e) => e.action === 'breakglass.review.rejected')).toEqual([
    expect.objectContaining({
      actor: alex,
      outcome: 'rejected',
      detail: 'not an emergency',
      idempotencyKey: `breakglass.review.rejected:${bg.id}:${left.policy!.review!.at}`,
    }),
  ]);
  expect(entries.filter((e) => e.action === 'access.revoke.requested')).toEqual([
    expect.objectContaining({ actor: alex, detail: 'break-glass rejected in review: not an emergency' }),
  ]);
  expect(await h!.app.stores.schedule.get(`breakglass.review:${bg.id}`)).toBeUndefined();
  expect(h!.logs.entries().filter((e) => /left half done/.test(String(e.msg)))).toEqual([
    expect.objectContaining({ level: 40, reviews: [bg.id] }),
  ]);

  // Finished: a later start writes nothing more.
  const count = entries.length;
  await restart();
  expect(await actions(bg.id)).toHaveLength(count);
});

test('died after the review was stored: the next click on its card finishes it, once', async () => {
  const bg = await breakGlassGranted();
  diesAfterWrite(rejectedReview);
  await reject(bg.id, 'not an emergency');

  // A click moments later is only told it came late: the first may still be finishing it.
  expect(await reject(bg.id, 'too soon')).not.toContain('your click finished it');
  expect(await actions(bg.id)).not.toContain('breakglass.review.rejected');
  expect((await h!.app.store.get(bg.id))!.state).toBe('succeeded');

  laterThanAClick();
  const answer = await reject(bg.id, 'again');
  expect(answer).toContain(
    "acrbot stopped before it finished that review; your click finished it (its audit entry written, the grant's revocation started).",
  );
  expect((await h!.app.store.get(bg.id))!.state).toBe('revoked');
  const once = await actions(bg.id);
  expect(once.filter((a) => a === 'breakglass.review.rejected')).toHaveLength(1);
  expect(once.filter((a) => a === 'access.revoke.requested')).toHaveLength(1);
  const stale = (await h!.app.audit.forRequest(bg.id)).filter((e) => e.action === 'approval.refused.stale');
  expect(stale).toEqual([
    expect.objectContaining({ detail: expect.not.stringMatching(/finished what that review left undone/) }),
    expect.objectContaining({ detail: expect.stringMatching(/finished what that review left undone/) }),
  ]);

  // A click after that is only told it came late.
  expect(await reject(bg.id, 'and again')).not.toContain('your click finished it');
  const later = await actions(bg.id);
  expect(later.filter((a) => a === 'breakglass.review.rejected')).toHaveLength(1);
  expect(later.filter((a) => a === 'access.revoke.requested')).toHaveLength(1);
});

test('a click that finished a half-done review is not told it changed nothing when its own entry fails', async () => {
  const bg = await breakGlassGranted();
  diesAfterWrite(rejectedReview);
  await reject(bg.id, 'not an emergency');
  laterThanAClick();
  const audit = h!.app.audit;
  const append = audit.append.bind(audit);
  jest.spyOn(audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'approval.refused.stale') throw new Error('the audit store is down');
    return append(event);
  });

  const answer = await reject(bg.id, 'again');
  expect(answer).toContain(
    "your click finished it (its audit entry written, the grant's revocation started), but the audit log could not record your click",
  );
  expect(answer).not.toContain('changed nothing');
  expect((await h!.app.store.get(bg.id))!.state).toBe('revoked');
});

test('died after the review was stored: the drift check of a running instance finishes it, at most hourly', async () => {
  const bg = await breakGlassGranted();
  diesAfterWrite(rejectedReview);
  await reject(bg.id, 'not an emergency');
  const drift = (await h!.app.stores.schedule.get('drift.check'))!;
  now = new Date(Math.max(Date.parse(drift.dueAt), now.getTime() + REVIEW_NET_RECHECK_MS));
  expect(await h!.app.scheduler.runNow('drift.check')).toBe(true);

  expect((await h!.app.store.get(bg.id))!.state).toBe('revoked');
  const after = await actions(bg.id);
  expect(after.filter((a) => a === 'breakglass.review.rejected')).toHaveLength(1);
  expect(after.filter((a) => a === 'access.revoke.requested')).toHaveLength(1);
});

test("the start does not wait for the net's pass, which then finishes the review", async () => {
  const bg = await breakGlassGranted();
  diesAfterWrite(rejectedReview);
  await reject(bg.id, 'not an emergency');
  laterThanAClick();
  await h!.stop();
  // The next start's pass is held at its listing of stored decisions.
  const list = SqliteRequestStore.prototype.listByState;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  jest.spyOn(SqliteRequestStore.prototype, 'listByState').mockImplementation(async function (
    this: SqliteRequestStore,
    ...args: Parameters<typeof list>
  ) {
    if (args[0].includes('rejected')) await held;
    return list.apply(this, args);
  });
  h = await startHarness(env, { clock, sandbox, sweepIntervalMs: 0 }, { connector: connector! });
  release();
  await h.app.services.requests.finishStoredDecisions();
  expect((await h.app.store.get(bg.id))!.state).toBe('revoked');
});

test('a review a start left to its click is finished by the next drift check, within the hour', async () => {
  const bg = await breakGlassGranted();
  diesAfterWrite(rejectedReview);
  await reject(bg.id, 'not an emergency');
  await restart();
  expect((await h!.app.store.get(bg.id))!.state).toBe('succeeded');

  const drift = (await h!.app.stores.schedule.get('drift.check'))!;
  now = new Date(Math.max(Date.parse(drift.dueAt), now.getTime() + CLICK_GRACE_MS));
  expect(now.getTime()).toBeLessThan(Date.parse('2026-11-30T10:00:00Z') + REVIEW_NET_RECHECK_MS);
  expect(await h!.app.scheduler.runNow('drift.check')).toBe(true);
  expect((await h!.app.store.get(bg.id))!.state).toBe('revoked');
  expect((await actions(bg.id)).filter((a) => a === 'access.revoke.requested')).toHaveLength(1);
});

test('died after the rejection was audited: the next start revokes it without a second entry', async () => {
  const bg = await breakGlassGranted();
  const scheduler = h!.app.scheduler;
  const cancel = scheduler.cancel.bind(scheduler);
  jest.spyOn(scheduler, 'cancel').mockImplementationOnce(async (id) => {
    if (id !== `breakglass.review:${bg.id}`) return cancel(id);
    throw new Error('the process died here');
  });
  await reject(bg.id, 'not an emergency');
  expect(await actions(bg.id)).toContain('breakglass.review.rejected');
  expect((await h!.app.store.get(bg.id))!.state).toBe('succeeded');

  laterThanAClick();
  await restart();
  expect((await h!.app.store.get(bg.id))!.state).toBe('revoked');
  const after = await actions(bg.id);
  expect(after.filter((a) => a === 'breakglass.review.rejected')).toHaveLength(1);
  expect(after.filter((a) => a === 'access.revoke.requested')).toHaveLength(1);
});

test('a plain rejection stored without its entry gets it at a start once its click cannot still be writing it', async () => {
  const request = await h!.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
  // The click's write, and nothing after it.
  await h!.app.store.update(
    transition(request, { type: 'reject', by: alex, at: now, reason: 'use the staging registry' }),
  );

  // Moments later its click may still be writing the entry: left alone.
  await restart();
  expect(await actions(request.id)).not.toContain('request.rejected');

  laterThanAClick();
  await restart();
  const entries = (await h!.app.audit.forRequest(request.id)).filter((e) => e.action === 'request.rejected');
  expect(entries).toEqual([
    expect.objectContaining({ actor: alex, outcome: 'rejected', detail: 'use the staging registry' }),
  ]);
  expect((await h!.app.store.get(request.id))!.state).toBe('rejected');

  await restart();
  expect((await actions(request.id)).filter((a) => a === 'request.rejected')).toHaveLength(1);
});

test('an expiry stored without its entry gets it at a start once its process cannot still be writing it', async () => {
  const request = await h!.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
  // The expiry's write, and nothing after it.
  await h!.app.store.update(transition(request, { type: 'expire', at: now }));

  await restart();
  expect(await actions(request.id)).not.toContain('request.expired');

  laterThanAClick();
  await restart();
  const entries = (await h!.app.audit.forRequest(request.id)).filter((e) => e.action === 'request.expired');
  expect(entries).toEqual([
    expect.objectContaining({ actor: { objectId: 'acrbot', name: 'acrbot' }, outcome: 'expired' }),
  ]);
  expect((await h!.app.store.get(request.id))!.state).toBe('expired');

  await restart();
  expect((await actions(request.id)).filter((a) => a === 'request.expired')).toHaveLength(1);
});
