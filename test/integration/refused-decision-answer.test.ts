/**
 * A refused Approve or Reject click is answered without waiting for the audit channel's card
 * (G16: Teams gives an invoke a few seconds; the card's update goes through an outbox, a lease,
 * store reads and a Connector PUT with 429 retries): the refusal is noted on that card after the
 * answer, as background work of the turn.
 */
import type { AccessRequest } from '../../src/domain/request';
import { type Harness, startHarness, users } from '../helpers/harness';

let h: Harness;
let request: AccessRequest;
beforeAll(async () => {
  h = await startHarness();
  request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

test("a non-approver's Approve is answered while the audit card's update is still waiting", async () => {
  const messenger = h.app.services.messenger;
  const original = messenger.refusalNoted;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let noticed!: (id: string) => void;
  const noted = new Promise<string>((resolve) => (noticed = resolve));
  messenger.refusalNoted = async (refused) => {
    noticed(refused.id);
    await held;
  };
  try {
    for (const verb of ['approve', 'reject']) {
      const res = await h.click(users.outsider, verb, { requestId: request.id, comment: 'not mine to decide' });
      expect(res.status).toBe(200);
    }
    expect(await noted).toBe(request.id);
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
  } finally {
    release();
    messenger.refusalNoted = original;
  }
});
