/**
 * Through the real app (sandbox mode): a registry typed as its login server, as people copy it
 * from an image reference, is that registry for `grant`, `check`, `policy` and a bare `access`, and a request's
 * hints then name it by id (a login server is no form the hints write); a cluster typed with the
 * wrong resource group is answered with the group it is in and what to type, nothing stored.
 */
import { sandboxResourceId, SANDBOX_REGISTRIES } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await h?.stop();
});

const contoso = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso).toLowerCase();

test('grant with a login server: the request is for that registry, recorded as typed by login server', async () => {
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr.azurecr.io --for 30d deploy payments-api');
  expect(request.plan.registry.id.toLowerCase()).toBe(contoso);
  expect(request.plan.typed).toEqual({ cluster: 'name', registry: 'loginServer' });
});

test.each(['check aks-prod https://contosoacr.azurecr.io/payments/api:1.0', 'policy aks-prod contosoacr.azurecr.io'])(
  '%s: answered for contosoacr',
  async (text) => {
    const reply = await h.ask(users.requester, text);
    expect(reply).toContain('contosoacr');
    expect(reply).not.toMatch(/not a valid|No registry/);
  },
);

test.each(['access contosoacr.azurecr.io', 'access https://contosoacr.azurecr.io/payments/api:1.0'])(
  '%s (bare, no "registry"): answered as access registry contosoacr',
  async (text) => {
    const reply = await h.ask(users.approver, text);
    expect(reply).toContain('Who can pull from contosoacr');
    expect(reply).not.toMatch(/not a valid|Neither a cluster/);
  },
);

test('grant with the cluster in the wrong resource group: where it is and what to type, nothing stored', async () => {
  const before = (await h.app.store.listByState(['pending'], 1000)).length;
  const reply = await h.ask(users.requester, 'grant rg-acr/aks-prod contosoacr deploy payments-api');
  expect(reply).toContain('Cluster aks-prod is in resource group rg-aks, not rg-acr: type rg-aks/aks-prod instead.');
  expect(reply).not.toMatch(/Reader role|managedClusters|aks-dev/);
  expect((await h.app.store.listByState(['pending'], 1000)).length).toBe(before);
});
