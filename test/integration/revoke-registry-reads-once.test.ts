/**
 * A `revoke registry NAME` card over many requests sharing their role assignments reads what
 * they share once per draw, not once per request: each request's preview lists its pair's
 * requests (its extensions), its registry's (who holds and who made the assignment), and asks
 * ARM for the registry and the identity's assignments there. Per request, a 200-request card
 * took seconds on SQLite and minutes on Table storage (docs/performance.md, round forty-two).
 * And the registry's succeeded requests are listed once per draw: the card's active read answers
 * who holds each assignment and each pair's extensions (round forty-four), in SQLite as in
 * memory, while the click's redraw check lists them anew; and the click reads each of its ids
 * once, for its redraw check and its revokes alike.
 */
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import type { AccessRequest } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;
/** Copies of the two grants, stored as more active requests on their assignments. */
const COPIES = 20;

const tempDirs = new TempDirs();
let h: Harness;
afterEach(async () => {
  try {
    await h?.stop();
  } finally {
    tempDirs.removeAll();
  }
});

/**
 * The listings of the registry's requests made since call `from` and before the call numbered
 * `until` (a Jest invocation order), each as the states it asked for, `+`-joined. The limit is
 * left out: these tests count listings, not the store's caps.
 */
function registryListings(spy: jest.SpyInstance, from = 0, until = Infinity): string[] {
  return spy.mock.calls
    .map(([, states], i) => ({ states: (states as string[]).join('+'), order: spy.mock.invocationCallOrder[i]! }))
    .slice(from)
    .filter((l) => l.order < until)
    .map((l) => l.states);
}

test.each([
  ['memory', () => 'memory'],
  ['SQLite', () => `sqlite:${join(tempDirs.make('acrbot-reads-once-'), 'acrbot.db')}`],
])(
  'a registry card over many requests on two assignments lists the registry once and asks ARM a bounded number of times (%s)',
  async (_, storage) => {
    h = await startHarness({
      ACRBOT_STORAGE: storage(),
      ACRBOT_MIN_ACCESS_DURATION: '1m',
      ACRBOT_EXPIRY_REMINDERS: 'none',
    });
    const reals = [
      await grantApproved(h, 'aks-prod contosoacr --for 30d deploy payments-api'),
      await grantApproved(h, 'aks-legacy contosoacr --for 30d nightly batch pulls', second),
    ];
    for (let i = 0; i < COPIES; i++) {
      const real = reals[i % 2]!;
      const createdAt = new Date(Date.parse(real.createdAt) + 1 + i).toISOString();
      await h.app.store.create({
        ...real,
        id: `R-CPY${'23456789ABCDEFGHJKMNPQRSTVWXYZ'[i]}2345`,
        createdAt,
      });
    }
    const byRegistry = jest.spyOn(h.app.store, 'listByRegistry');
    const byTarget = jest.spyOn(h.app.store, 'listByTarget');
    const arm = h.app.sandbox!.arm.requests.length;

    h.connector.clear();
    await h.say(users.approver, 'revoke registry contosoacr suspected credential leak');
    const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 10_000, 'card');

    // Every request is on the card, each previewed: its assignment deleted with the others.
    const card = sent.activity.attachments![0]!.content;
    const ids = (card.actions[0].data.requestId as string).split(',');
    expect(ids).toHaveLength(COPIES + 2);
    expect(cardText(sent.activity)).toContain('role assignment');
    // Read per request, these were 22+ registry listings, 44 pair listings and 44 ARM reads; read
    // once per kind of use, three listings of the succeeded ones (the active read, the holders'
    // at 1000, each pair's extensions). Now the active read, and the note's read of those not run yet.
    expect(registryListings(byRegistry).sort()).toEqual(['pending+approved+executing', 'succeeded']);
    expect(byTarget).not.toHaveBeenCalled();
    const asked = h.app.sandbox!.arm.requests.slice(arm).map((r) => r.operation);
    // One listing per identity (the two grants' kubelets), one read of the registry.
    expect(asked.filter((o) => o === 'roleAssignments.listForScope').length).toBeLessThanOrEqual(2);
    expect(asked.filter((o) => o === 'registries.get').length).toBeLessThanOrEqual(1);

    // What the card said is what the previews say when each reads its own listings.
    const { flow } = h.app.services.lifecycle;
    const { requests: active, listings } = await flow.activeOnRegistry(reals[0]!.plan.registry.id);
    const alone = await Promise.all(active.map(async (r) => (await h.app.store.get(r.id)) as AccessRequest));
    const lines = (previews: Awaited<ReturnType<typeof flow.previewTogether>>) =>
      previews.map((p) => [p.request.id, p.lines]);
    const shared = await flow.previewTogether(active, listings);
    const fromListings = byRegistry.mock.calls.length;
    expect(lines(shared)).toEqual(lines(await flow.previewTogether(alone, [])));
    // Without the active read's listing, the previews list the registry themselves.
    expect(byRegistry.mock.calls.length).toBeGreaterThan(fromListings);

    // The click's redraw check reads the registry anew (nothing kept from the draw), once, before
    // the revokes are stored (the revocations it starts list what they check besides, succeeded
    // ones among them, in the background).
    const before = byRegistry.mock.calls.length;
    const get = jest.spyOn(h.app.store, 'get');
    const storing = jest.spyOn(flow, 'scheduleRevoke');
    await h.click(users.approver, 'revokeConfirm', card.actions[0].data);
    // Each of its ids is read once before the revokes are stored: the redraw check's read is the
    // revokes' too (round forty-four), not a read for the check and another for each revoke (on
    // Table storage, 400 of a 200-request click's 600 request reads).
    expect(storing).toHaveBeenCalledTimes(ids.length);
    const firstStored = Math.min(...storing.mock.invocationCallOrder);
    expect(registryListings(byRegistry, before, firstStored).filter((l) => l === 'succeeded')).toHaveLength(1);
    const readBefore = get.mock.calls.filter((_, i) => get.mock.invocationCallOrder[i]! < firstStored);
    expect(
      readBefore
        .map(([id]) => id)
        .filter((id) => ids.includes(id))
        .sort(),
    ).toEqual([...ids].sort());
  },
);
