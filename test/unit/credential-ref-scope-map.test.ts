/**
 * A token acrbot recorded creating does not vouch for the scope map its reference names: that
 * map is acted on (deleted) only when the request recorded creating it too (G15).
 */
import type { SecretPlan } from '../../src/domain/plan';
import { credentialRefProblem } from '../../src/domain/secret-ownership';
import { grantPlan, pendingRequest, REGISTRY_ID, secretPlan, SUB } from './support/requests';

const plan: SecretPlan = secretPlan({ cluster: { ...grantPlan().cluster, aadEnabled: true } });
const recordedAt = '2025-04-01T09:00:00.000Z';
const request = pendingRequest({
  id: 'R-SECRET01',
  state: 'succeeded',
  plan,
  created: [
    { kind: 'acrToken', id: `${REGISTRY_ID}/tokens/acrbot-r-secret01`, name: 'acrbot-r-secret01', recordedAt },
    { kind: 'scopeMap', id: `${REGISTRY_ID}/scopeMaps/acrbot-r-secret01`, name: 'acrbot-r-secret01', recordedAt },
  ],
});
const ref = (scopeMapName?: string) => ({
  kind: 'token' as const,
  subscriptionId: SUB,
  resourceGroup: plan.registry.resourceGroup,
  registry: plan.registry.name,
  tokenName: 'acrbot-r-secret01',
  ...(scopeMapName !== undefined ? { scopeMapName } : {}),
});

test('a recorded token with its recorded scope map (or none) is acrbot’s', () => {
  expect(credentialRefProblem(ref('acrbot-r-secret01'), request)).toBeUndefined();
  expect(credentialRefProblem(ref(), request)).toBeUndefined();
});

test('a recorded token naming a scope map the request did not record: refused', () => {
  expect(credentialRefProblem(ref('acrbot-r-other123'), request)).toMatch(/scope map is not recorded/);
  expect(credentialRefProblem(ref('_repositories_pull'), request)).toMatch(/scope map is not recorded/);
});
