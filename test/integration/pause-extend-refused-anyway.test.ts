/**
 * An extension the pause alone does not stop is refused for its own reason first: someone who may
 * not extend a grant (not its requester) is told so while new access is paused, and is not
 * recorded to be told of the resume with a command that would be refused again
 * (AccessActions.createExtension: the tenant, then the original's checks, then the pause). The
 * requester's own extension is refused for the pause and recorded. An answer to one of acrbot's
 * questions refused for the pause is recorded without a command to type again.
 */
import { cardText } from '../helpers/capturing-connector';
import { answerTo } from '../helpers/answer-to';
import { type Harness, startHarness, users } from '../helpers/harness';

describe('an extension while new access is paused', () => {
  let h: Harness;
  /** What acrbot answers `user` in their chat with it. */
  const ask = (user: (typeof users)[keyof typeof users], text: string) => answerTo(h, user, text, 'personal');
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  test("another person's extend is refused as not theirs, and nobody is recorded to be told of the resume; the requester's own is refused for the pause and recorded", async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    expect((await h.settle(granted.id)).state).toBe('succeeded');
    expect(await ask(users.approver, 'pause unexpected grants on prod, investigating')).toContain('New access paused');

    const notTheirs = await ask(users.approver, `extend ${granted.id} --for 1d release still running`);
    expect(notTheirs).toMatch(/Only Riley Requester, who asked for R-\w+, can ask to extend it/);
    expect(notTheirs).not.toMatch(/paused/i);
    await h.app.services.background.drain();
    expect(await h.app.stores.schedule.withIdPrefix('access.reopened:', 10)).toHaveLength(0);

    expect(await ask(users.requester, `extend ${granted.id} --for 1d release still running`)).toMatch(
      /New access is paused since/,
    );
    await h.app.services.background.drain();
    const waiting = await h.app.stores.schedule.withIdPrefix('access.reopened:', 10);
    expect(waiting.map((j) => j.id)).toEqual([`access.reopened:${users.requester.objectId}`]);
  });

  test('an answer to the reason question refused for a pause begun meanwhile is recorded without a command: typed again it would be none', async () => {
    await h.say(users.requester, 'grant aks-prod contosoacr', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    expect(await ask(users.approver, 'pause unexpected grants on prod, investigating')).toContain('New access paused');
    // Starts with "Grant" yet is an answer: its words after it are no cluster and registry.
    expect(await ask(users.requester, 'Grant needed for the payments deploy')).toMatch(/New access is paused since/);
    await h.app.services.background.drain();
    const waiting = await h.app.stores.schedule.withIdPrefix('access.reopened:', 10);
    expect(waiting.map((j) => j.id)).toEqual([`access.reopened:${users.requester.objectId}`]);
    expect(waiting[0]!.payload).not.toHaveProperty('command');
  });
});
