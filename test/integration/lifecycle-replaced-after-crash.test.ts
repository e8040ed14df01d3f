/**
 * G17: a secret request that replaced another active request's secret retired that request's
 * credential in its run; only the run's follow-up (the lifecycle, after the cards) ends the
 * replaced request. A process that died between the run's final write and that follow-up must
 * not leave the replaced request active for ever without a credential (a permanent one never
 * ends; its reminders offer Extend; the tab shows it active; its requester is never told): the
 * lost-end net (at start, and with the drift check) ends it as the follow-up would — revoked,
 * audited with why, its requester told — once, also when two passes and the follow-up run at once.
 * An extension, which rotates the access it extends, ends nothing.
 *
 * The crash is the follow-up dropped: the lifecycle's `requestChanged` skips the replacing
 * request's success, so nothing after the cards ran, as after a kill at that point.
 */
import { join } from 'node:path';
import type { AccessRequest } from '../../src/domain/request';
import type { AccessLifecycle } from '../../src/flows/access-lifecycle';
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';

const MINUTE = 60_000;
let now = new Date('2026-11-30T10:00:00Z');
const clock = { now: () => now };
const ENV = { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: '1d', ACRBOT_ALLOW_PERMANENT: 'true' };

/** The requester asks for a pull secret on aks-dev and the approver approves it; it succeeded. */
async function secretApproved(h: Harness, args: string): Promise<AccessRequest> {
  const request = await h.requestSecret(users.requester, `aks-dev contosoacr --namespace payments ${args}`);
  await h.click(users.approver, 'approve', { requestId: request.id });
  const done = await h.settle(request.id);
  expect(done.state).toBe('succeeded');
  return done;
}

/**
 * Asks for the secret again and approves it, its follow-up dropped once it succeeded (the
 * process "died" after the cards): the replaced request `first` is left active, as it was.
 */
async function replacedWithFollowUpLost(h: Harness, first: string, args: string): Promise<AccessRequest> {
  now = new Date(now.getTime() + MINUTE);
  const request = await h.requestSecret(users.requester, `aks-dev contosoacr --namespace payments ${args}`);
  expect(request.plan).toMatchObject({ replaces: { requestId: first } });
  const flow: AccessLifecycle = h.app.services.lifecycle.flow;
  const followUp = flow.requestChanged.bind(flow);
  jest
    .spyOn(flow, 'requestChanged')
    .mockImplementation(async (r) => (r.id === request.id && r.state === 'succeeded' ? undefined : followUp(r)));
  await h.click(users.approver, 'approve', { requestId: request.id });
  const later = await h.settle(request.id);
  expect(later).toMatchObject({ state: 'succeeded', outcome: { secret: { action: 'replaced' } } });
  await h.app.services.background.drain();
  // Without the follow-up the replaced request is still active although its credential is gone.
  expect((await h.app.store.get(first))!.state).toBe('succeeded');
  return later;
}

/** `action:outcome` of every audit entry of `id`, oldest first. */
async function actions(h: Harness, id: string): Promise<string[]> {
  return (await h.app.audit.forRequest(id)).map((e) => `${e.action}:${e.outcome}`);
}

/** The messages (not card updates) that told `id`'s requester it was revoked. */
const revokedNotices = (connector: CapturingConnector, id: string) =>
  connector.calls.filter((c) => c.op !== 'update' && cardText(c.activity).includes(`Revoked: ${id}`));

describe('G17: a request whose secret was replaced ends although the follow-up was lost', () => {
  const tempDirs = new TempDirs();
  let sandbox: Sandbox | undefined;
  let connector: CapturingConnector | undefined;
  let h: Harness | undefined;
  beforeEach(() => {
    now = new Date('2026-11-30T10:00:00Z');
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

  test('a permanent secret asked for again: the next start ends the replaced request as revoked, told once, no reminder left', async () => {
    sandbox = await startSandbox();
    connector = new CapturingConnector();
    await connector.start();
    const dir = tempDirs.make('acrbot-replaced-crash-');
    const env = { ...ENV, ACRBOT_STORAGE: `sqlite:${join(dir, 'acrbot.db')}` };
    // One sandbox and one Bot Connector for every start, as Azure and Teams outlive a restart.
    const begin = () => startHarness(env, { clock, sandbox, sweepIntervalMs: 0 }, { connector: connector! });
    h = await begin();
    const first = await secretApproved(h, '--name acr-crash --for permanent pull for payments-api');
    expect(await h.app.stores.schedule.get(`access.remind:${first.id}:86400000`)).toBeDefined();
    const later = await replacedWithFollowUpLost(h, first.id, '--name acr-crash --for permanent pull for payments-api');

    // The start's pass runs in the background; the stop waits for it.
    await h.stop();
    h = await begin();
    const firstStart = h.logs;
    await h.stop();
    h = await begin();
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();

    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    expect((await h.app.store.get(later.id))!.state).toBe('succeeded');
    const requested = (await h.app.audit.forRequest(first.id)).filter((e) => e.action === 'access.revoke.requested');
    expect(requested).toHaveLength(1);
    expect(requested[0]!.detail).toMatch(
      new RegExp(`^replaced by ${later.id}, approved by .+: it wrote a new credential`),
    );
    expect((await actions(h, first.id)).filter((a) => a === 'access.revoked:revoked')).toHaveLength(1);
    // Nothing of the replacing request's was deleted: its secret stays.
    expect(await actions(h, first.id)).toContain('access.revoke.secret:kept');
    expect(
      sandbox.kubernetes['aks-dev'].getObject('secrets', 'payments', 'acr-crash')?.metadata.labels?.[
        'acrbot.io/request-id'
      ],
    ).toBe(later.id);
    // Its requester told once, with why; no end job or reminder of it left to fire.
    const told = revokedNotices(connector, first.id);
    expect(told).toHaveLength(1);
    expect(cardText(told[0]!.activity)).toContain(`replaced by ${later.id}`);
    const jobs = (await h.app.stores.schedule.due(new Date('2100-01-01T00:00:00Z'), 1000)).map((j) => j.id);
    expect(jobs.filter((id) => id.includes(first.id) && id.startsWith('access.'))).toEqual([]);
    expect(firstStart.entries().filter((e) => /replaced it stopped before it ended them/.test(String(e.msg)))).toEqual([
      expect.objectContaining({ level: 40, ends: 1, requestIds: [first.id] }),
    ]);
  });

  test('two passes and the follow-up at once end the replaced request once; a later pass finds nothing', async () => {
    h = await startHarness({ ...ENV }, { clock, sweepIntervalMs: 0 });
    const first = await secretApproved(h, '--for 1h pull for payments-api');
    const later = await replacedWithFollowUpLost(h, first.id, '--for 2h pull for payments-api');
    const flow: AccessLifecycle = h.app.services.lifecycle.flow;
    jest.restoreAllMocks();
    // The worst interleaving, every time: the net and the follow-up both checked (no revoke job
    // yet) before either audits and writes the revoke.
    const revoke = flow.scheduleRevoke.bind(flow);
    let arrived = 0;
    let bothChecked!: () => void;
    const checked = new Promise<void>((resolve) => (bothChecked = resolve));
    jest.spyOn(flow, 'scheduleRevoke').mockImplementation(async (...args) => {
      if (++arrived === 2) bothChecked();
      await checked;
      return revoke(...args);
    });

    const found = await Promise.all([
      flow.scheduleLostEnds(),
      flow.scheduleLostEnds(),
      flow.requestChanged((await h.app.store.get(later.id))!),
    ]);
    expect(arrived).toBe(2);
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();
    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    // One pass looked (the other found the lease held) and ended it.
    expect(found.slice(0, 2).flat()).toEqual([first.id]);
    const ended = await actions(h, first.id);
    expect(ended.filter((a) => a === 'access.revoke.requested:scheduled')).toHaveLength(1);
    expect(ended.filter((a) => a === 'access.revoked:revoked')).toHaveLength(1);
    expect(revokedNotices(h.connector, first.id)).toHaveLength(1);

    expect(await flow.scheduleLostEnds()).toEqual([]);
    expect(await actions(h, first.id)).toEqual(ended);
    expect(await h.app.stores.schedule.get(accessExpiryJobId(first.id))).toBeUndefined();
    expect((await h.app.store.get(later.id))!.state).toBe('succeeded');
  });

  test('an extension rotates the secret of the access it extends: the net ends nothing', async () => {
    h = await startHarness({ ...ENV }, { clock, sweepIntervalMs: 0 });
    const first = await secretApproved(h, '--for 1h pull for payments-api');
    now = new Date(now.getTime() + MINUTE);
    h.connector.clear();
    await h.say(users.requester, `extend ${first.id} --for 2h still needed for payments`);
    const card = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      5000,
      'extension plan card',
    );
    const extension = [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
      .map((m) => m[0])
      .find((x) => x !== first.id)!;
    await h.click(users.approver, 'approve', { requestId: extension });
    expect(await h.settle(extension)).toMatchObject({
      state: 'succeeded',
      outcome: { secret: { action: 'replaced' } },
    });
    await h.app.services.background.drain();

    expect(await h.app.services.lifecycle.flow.scheduleLostEnds()).toEqual([]);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first.id))!.state).toBe('succeeded');
    expect(await actions(h, first.id)).not.toContain('access.revoke.requested:scheduled');
  });
});
