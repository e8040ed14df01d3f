/**
 * Sandbox mode on a machine whose environment names a forward proxy (a corporate laptop's
 * HTTPS_PROXY without a NO_PROXY): the emulators and the Bot Connector listen on this machine,
 * where the proxy cannot reach them, so acrbot reaches them directly and a grant flow works end
 * to end (src/composition/sandbox-step.ts).
 */
import { cardText } from '../helpers/capturing-connector';
import { ForwardProxy, withEnvironment } from '../helpers/forward-proxy';
import { type Harness, startHarness, users } from '../helpers/harness';

let proxy: ForwardProxy;
let h: Harness | undefined;
beforeAll(async () => {
  proxy = await new ForwardProxy().start();
});
afterAll(async () => {
  await h?.stop();
  await proxy.stop();
});

test('a grant flow runs end to end without a request to the proxy', async () => {
  const proxyVariables = { HTTPS_PROXY: proxy.url, HTTP_PROXY: undefined, ALL_PROXY: undefined, NO_PROXY: undefined };
  const done = await withEnvironment(proxyVariables, async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    const approval = await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:sandbox-approvals') && cardText(c.activity).includes(request.id),
      5000,
      'the approval card',
    );
    await h.click(users.approver, 'approve', { requestId: request.id, version: request.version }, approval.activityId);
    return h.settle(request.id);
  });
  expect(done.state).toBe('succeeded');
  expect(proxy.connects).toEqual([]);
  expect(proxy.forwarded).toEqual([]);
});
