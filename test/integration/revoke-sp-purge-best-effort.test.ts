/**
 * A `--kind sp` access whose end deletes its application: the service principal's permanent
 * delete failing (past the client's retries) after the application is purged must not make the
 * revocation fail and its retry record the application "absent": the deletion acrbot made is
 * audited as such, once.
 */
import {
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  secretServicePrincipal,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

test('the service principal purge failing: the credential is audited deleted, never absent', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
  );
  const { appId, directory, sp } = secretServicePrincipal(k8s);
  const app = directory.getApplicationByAppId(appId)!;
  h.app.sandbox!.graph.faults.add({
    operation: 'directory.deletedItems.delete',
    status: 503,
    count: Infinity,
    pathIncludes: sp.id,
  });
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  // Any retry the revocation scheduled runs too: it must not add an "absent" entry.
  for (let i = 0; i < 3; i++) {
    advance(31 * MINUTE);
    await h.app.scheduler.runDue();
  }
  expect(directory.getApplication(app.id)).toBeUndefined();
  expect(directory.deletedItems.has(app.id)).toBe(false);
  const revokes = (await h.app.audit.forRequest(id))
    .filter((e) => e.action === 'access.revoke.credential')
    .map((e) => `${e.outcome} ${e.detail ?? ''}`);
  expect(revokes).toEqual([expect.stringMatching(/^deleting /), expect.stringMatching(/^deleted application/)]);
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  // The service principal's failed purge is not swallowed: the operator sees it once, with its cause.
  const logged = h.logs.lines.filter((l) => l.includes("its service principal's permanent delete failed"));
  expect(logged).toHaveLength(1);
  expect(logged[0]).toContain('"applicationId"');
  // With the service principal's id: once the application is purged, nothing else finds it.
  expect(logged[0]).toContain(`"servicePrincipalId":"${sp.id}"`);
});
