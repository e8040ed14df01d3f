/**
 * `revoke registry NAME` on a registry whose only active acrbot requests are another tenant's:
 * "Nothing to revoke", counting them (one "is", more "are") without naming them, and nothing is
 * revoked; the count is what tells the asker acrbot's access there is not theirs, not absent.
 */
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { OTHER_TENANT } from '../helpers/tenant-b';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

async function answerTo(command: string): Promise<string> {
  h.connector.clear();
  await h.say(users.approver, command);
  const sent = await h.connector.waitFor((c) => /Nothing to revoke/.test(cardText(c.activity)), 5000, 'answer');
  return cardText(sent.activity);
}

test("only another tenant's requests: counted, one then two, not named, not revoked", async () => {
  h = await startHarness({
    ACRBOT_MIN_ACCESS_DURATION: '1m',
    ACRBOT_EXPIRY_REMINDERS: 'none',
    ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}`,
  });
  const asked = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
  await h.click(users.approver, 'approve', { requestId: asked.id });
  expect((await h.settle(asked.id)).state).toBe('succeeded');
  const stored = (await h.app.store.get(asked.id))!;
  await h.app.store.update({ ...stored, version: stored.version + 1, tenantId: OTHER_TENANT });

  const one = await answerTo('revoke registry contosoacr incident 42');
  expect(one).toContain('1 of another tenant is not revoked from here');
  expect(one).not.toContain(asked.id);

  await h.app.store.create({ ...stored, id: 'R-TENANTB3', tenantId: OTHER_TENANT });
  const two = await answerTo('revoke registry contosoacr incident 42');
  expect(two).toContain('2 of another tenant are not revoked from here');
  expect(two).not.toMatch(/R-TENANTB3/);

  await h.app.services.background.drain();
  expect((await h.app.store.get(asked.id))!.state).toBe('succeeded');
});
