/**
 * A secret run resumed twice: its first attempt's write landed (its record lost), its second
 * attempt's write never did (the API server answered 500 without applying it). The third attempt
 * finds the secret still holding the first write's data: acrbot's own, by its records (each
 * started record carries the earlier attempts' data hashes), so it goes on and succeeds, rather
 * than calling it someone else's and leaving a dead secret behind (G15 by records, G13).
 */
import type { AccessRequest } from '../../src/domain/request';
import { secretDataFingerprint } from '../../src/domain/secret-ownership';
import { users } from '../helpers/harness';
import { h, start, useLifecycleHooks } from '../helpers/lifecycle';
import { within } from '../helpers/within';

useLifecycleHooks();
const ARGS = 'aks-dev contosoacr --namespace payments --service-account default --for 2h pull for payments-api';

test("a third attempt recognises its first attempt's landed write after a second attempt's write never landed", async () => {
  await start();
  const k8s = h.app.sandbox!.kubernetes['aks-dev'];
  const secretData = () =>
    (k8s.getObject('secrets', 'payments', 'acr-auth') as unknown as { data: Record<string, string> } | undefined)?.data[
      '.dockerconfigjson'
    ];
  const { id } = await h.requestSecret(users.requester, ARGS);
  // Attempt 1: its write lands; the store does not answer the record of it, so the run stops.
  const store = h.app.store;
  const update = store.update.bind(store);
  let refused = false;
  store.update = async (next: AccessRequest) => {
    if (!refused && next.id === id && next.created?.some((o) => o.kind === 'pullSecret')) {
      refused = true;
      throw new Error('the store did not answer');
    }
    return update(next);
  };
  await h.click(users.approver, 'approve', { requestId: id });
  await within(h.app.services.executor.drain(), 'attempt 1 stops', 15_000);
  expect(refused).toBe(true);
  expect((await store.get(id))!.state).toBe('executing');
  const firstWrite = secretData()!;
  expect(JSON.parse(Buffer.from(firstWrite, 'base64').toString()).auths['contosoacr.azurecr.io']).toBeTruthy();

  // Attempt 2 (resumed): its PUT is answered 500 and not applied; it stops unconfirmed.
  const heal = k8s.faults.inject({ method: 'PUT', resource: 'secrets', status: 500, times: Infinity });
  const putsBefore = k8s.requests.length;
  await h.app.services.executor.resumeInterrupted();
  await within(h.app.services.executor.drain(), 'attempt 2 stops', 15_000);
  heal();
  const secretPuts = k8s.requests.slice(putsBefore).filter((r) => r.method === 'PUT' && r.path.includes('/secrets/'));
  expect(secretPuts.map((r) => r.status)).toContain(500);
  expect((await store.get(id))!.state).toBe('executing');
  expect(secretData()).toBe(firstWrite);

  // Attempt 3: the first write is acrbot's own.
  await h.app.services.executor.resumeInterrupted();
  const done = await h.settle(id);
  expect([done.state, done.outcome?.errorCode]).toEqual(['succeeded', undefined]);
  const started = done.created!.filter((o) => o.kind === 'pullSecretWriteStarted');
  expect(started).toHaveLength(1);
  // The first attempt's hash, carried by the records that replaced its own.
  const firstHash = secretDataFingerprint({ '.dockerconfigjson': firstWrite });
  expect(started[0]!.earlierDataFingerprints).toContain(firstHash);
});
