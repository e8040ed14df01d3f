/**
 * Stopping the app waits for the card updates a decision started without waiting for them. A
 * rejection (like a cancellation, a quorum's "1 of 2" and a break-glass review) answers the
 * click at once and updates the other copies of the card, and tells the requester, in the
 * background: before, a stop right after such a click closed the store and let the process exit
 * with those updates unsent, so every copy kept its Approve button and the requester never
 * heard that the request was rejected.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

describe('stop after a decision whose card updates are still on their way', () => {
  let sandbox: Sandbox;
  let h: Harness | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await h?.stop();
    await sandbox.stop();
  });

  test('the stop ends only once every copy says Rejected and the requester is told', async () => {
    // A sandbox of the test's own: the app's stop then has nothing of its own to wait for after
    // closing the store, and a stop that does not wait for the updates ends before they are sent.
    h = await startHarness({}, { sandbox });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy billing-api');
    const copies = await h.app.store.listCardCopies(request.id);
    expect(copies.map((c) => c.role).sort()).toEqual(['approver', 'requester']);
    // Teams is slow from here on: every post and update waits until the stop has begun (the
    // executor is closed as one of the stop's first steps).
    const release = h.connector.hold('');
    const close = h.app.services.executor.close.bind(h.app.services.executor);
    h.app.services.executor.close = async () => {
      await close();
      release();
    };
    const before = h.connector.calls.length;
    const click = await h.click(users.approver, 'reject', {
      requestId: request.id,
      comment: 'use the staging registry',
    });
    expect(click.status).toBe(200);
    expect((await h.app.store.get(request.id))!.state).toBe('rejected');

    await h.app.stop();
    // What the connector had received by the time the stop ended.
    const sent = h.connector.calls.slice(before);
    for (const copy of copies)
      expect({
        copy: copy.role,
        updated: sent.some(
          (c) => c.op === 'update' && c.activityId === copy.activityId && /Rejected/.test(cardText(c.activity)),
        ),
      }).toEqual({ copy: copy.role, updated: true });
    const requesterCopy = copies.find((c) => c.role === 'requester')!;
    expect(
      sent.some(
        (c) =>
          c.op !== 'update' &&
          c.conversationId === (requesterCopy.conversation as { conversation: { id: string } }).conversation.id &&
          /rejected/i.test(cardText(c.activity)),
      ),
    ).toBe(true);
  });
});
