/**
 * `npm run playground` starts its bot on a random port: the tab's sandbox sign-in links it
 * prints carry that port (the README's 3978 is `npm start`'s), for Riley's and Alex's pages.
 */
import { tabLinkLines } from '../../scripts/playground/tab-links';

test('the tab links name the bot’s own origin and each user’s page', () => {
  const lines = tabLinkLines('http://127.0.0.1:41234/api/messages').join('\n');
  expect(lines).toContain('http://127.0.0.1:41234/tabs/sandbox-signin?user=requester&next=%2Ftabs%2Fpersonal');
  expect(lines).toContain('http://127.0.0.1:41234/tabs/sandbox-signin?user=approver&next=%2Ftabs%2Fmatrix');
  expect(lines).not.toContain('3978');
});
