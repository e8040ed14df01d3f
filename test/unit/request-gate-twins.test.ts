/**
 * RequestGate.twinRefusal: which pending requests of the requester are twins of a new plan (their
 * cards would read alike), read from the requester index. Azure ids compare case-insensitively;
 * a pull secret is one target per cluster, namespace and name, whichever registry; an extension
 * of an access is never a twin (it has its own rule: one open per access).
 */
import { RequestGate } from '../../src/flows/request-gate';
import { MemoryAbuseLedger } from '../../src/integrations/store/memory-coordination';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { grantPlan, OUTSIDER, pendingRequest, REQUESTER, secretPlan } from './support/requests';

async function gateWith(...requests: ReturnType<typeof pendingRequest>[]): Promise<RequestGate> {
  const store = new MemoryRequestStore();
  for (const r of requests) await store.create(r);
  return new RequestGate(new MemoryAbuseLedger(), store, new FakeClock(), {
    maxPendingPerUser: 5,
    requestsPerMinute: 10,
  });
}

test('a pending grant of the same cluster and registry is a twin, whatever the case of the ids', async () => {
  const gate = await gateWith(pendingRequest({ id: 'R-AAAAAAAA', access: { durationMs: 3_600_000 } }));
  const upper = grantPlan();
  upper.cluster = { ...upper.cluster, id: upper.cluster.id.toUpperCase() };
  expect(await gate.twinRefusal(REQUESTER, upper)).toEqual({
    code: 'limits.duplicate',
    twinId: 'R-AAAAAAAA',
    message:
      'You already have R-AAAAAAAA waiting for approval for aks-prod → contosoacr (access: 1 hour from when it is granted). Withdraw it first with "@acrbot cancel R-AAAAAAAA", or wait for its decision. Nothing was requested.',
  });
  // Someone else's request for it is theirs.
  expect(await gate.twinRefusal(OUTSIDER, grantPlan())).toBeUndefined();
});

test('another registry, a secret on the same pair, an extension or a decided request is no twin of a grant', async () => {
  const other = grantPlan();
  other.registry = { ...other.registry, id: other.registry.id.replace('contosoacr', 'otheracr'), name: 'otheracr' };
  const gate = await gateWith(
    pendingRequest({ id: 'R-OTHERREG', plan: other }),
    pendingRequest({ id: 'R-SECRET01', plan: secretPlan() }),
    pendingRequest({ id: 'R-EXTENDS1', extendsRequestId: 'R-ORIGINAL' }),
    pendingRequest({ id: 'R-DECIDED1', state: 'approved' }),
  );
  expect(await gate.twinRefusal(REQUESTER, grantPlan())).toBeUndefined();
});

test('a pending pull secret of the same namespace and name is a twin, even for another registry; another name is not', async () => {
  const gate = await gateWith(pendingRequest({ id: 'R-SECRET01', plan: secretPlan() }));
  const otherRegistry = secretPlan({ registry: { ...grantPlan().registry, id: '/x/otheracr', name: 'otheracr' } });
  expect((await gate.twinRefusal(REQUESTER, otherRegistry))?.message).toContain(
    'You already have R-SECRET01 waiting for approval for pull secret payments/acr-auth in aks-prod',
  );
  expect(await gate.twinRefusal(REQUESTER, secretPlan({ secretName: 'acr-other' }))).toBeUndefined();
  expect(await gate.twinRefusal(REQUESTER, secretPlan({ namespace: 'batch' }))).toBeUndefined();
  expect(await gate.twinRefusal(REQUESTER, grantPlan())).toBeUndefined();
});
