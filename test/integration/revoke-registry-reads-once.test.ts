/**
 * A `revoke registry NAME` card over many requests sharing their role assignments reads what
 * they share once per draw, not once per request: each request's preview lists its pair's
 * requests (its extensions), its registry's (who holds and who made the assignment), and asks
 * ARM for the registry and the identity's assignments there. Per request, a 200-request card
 * took seconds on SQLite and minutes on Table storage (docs/performance.md, round forty-two).
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;
/** Copies of the two grants, stored as more active requests on their assignments. */
const COPIES = 20;

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

test('a registry card over many requests on two assignments lists the registry and asks ARM a bounded number of times', async () => {
  h = await startHarness({ ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' });
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
  expect((card.actions[0].data.requestId as string).split(',')).toHaveLength(COPIES + 2);
  expect(cardText(sent.activity)).toContain('role assignment');
  // Read per request, these were 22+ registry listings, 44 pair listings and 44 ARM reads.
  expect(byRegistry.mock.calls.length).toBeLessThanOrEqual(5);
  expect(byTarget.mock.calls.length).toBeLessThanOrEqual(4);
  const asked = h.app.sandbox!.arm.requests.slice(arm).map((r) => r.operation);
  // One listing per identity (the two grants' kubelets), one read of the registry.
  expect(asked.filter((o) => o === 'roleAssignments.listForScope').length).toBeLessThanOrEqual(2);
  expect(asked.filter((o) => o === 'registries.get').length).toBeLessThanOrEqual(1);
});
