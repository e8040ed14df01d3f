/**
 * The "Unknown command" card quotes a short unknown word back, neutralised like all user text on
 * a card: `www.x.com` typed as a command is not a live link on acrbot's card.
 */
import { type Harness, startHarness, users } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

test('an unknown command that reads as a link is quoted inert', async () => {
  const answer = await h.ask(users.requester, 'www.x.com');
  expect(answer).toContain('is not an acrbot command');
  expect(answer).toContain('"www\u200b.x.com"');
  expect(answer).not.toMatch(/www\./i);
});
