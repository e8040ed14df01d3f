/**
 * What a grant's end and the revoke confirmation say the registry itself lets on: the command
 * that turns its admin user off names the registry's subscription when the plan has it, as
 * acrbot's other by-hand commands do (the operator's CLI may be set to another subscription), and
 * leaves it out rather than print an empty one.
 */
import { registryOpenWays, registryOpenWords } from '../../src/domain/audit-end-words';

const registry = {
  name: 'contosoacr',
  loginServer: 'contosoacr.azurecr.io',
  subscriptionId: '1f0c0000-0000-4000-8000-000000000001',
};

test("the admin user's command carries the registry's subscription", () => {
  expect(registryOpenWays(registry, { adminUser: true })).toEqual([
    {
      setting: 'admin user of contosoacr',
      enabled: 'the admin user of contosoacr is enabled',
      so: 'so anything holding its password can still pull (az acr update --subscription 1f0c0000-0000-4000-8000-000000000001 -n contosoacr --admin-enabled false)',
    },
  ]);
  expect(registryOpenWords(registry, { anonymous: true, adminUser: true })).toBe(
    'anonymous pull is enabled on contosoacr, so the cluster (and anything that can reach contosoacr.azurecr.io) can still pull without a role; the admin user of contosoacr is enabled, so anything holding its password can still pull (az acr update --subscription 1f0c0000-0000-4000-8000-000000000001 -n contosoacr --admin-enabled false)',
  );
});

test('without a subscription at hand the command names none', () => {
  const [way] = registryOpenWays({ ...registry, subscriptionId: '' }, { adminUser: true });
  expect(way.so).toBe(
    'so anything holding its password can still pull (az acr update -n contosoacr --admin-enabled false)',
  );
});
