/**
 * G15 at the end of a `--kind sp` secret: its role assignment is deleted only when it is the one
 * acrbot made. One made again under the recorded name (a predictable UUIDv5) for another role is
 * left in place, and the revocation's audit says so as a refusal, for an operator, instead of the
 * deletion's finding being dropped.
 */
import {
  actions,
  advance,
  assignmentsOn,
  contosoId,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  secretServicePrincipal,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

/** Reader's role definition: not the pull role the assignment's name was derived from. */
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

test('an assignment re-made under the recorded name for another role: left in place, audited as refused; the application deleted', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
  );
  const { appId, directory, sp } = secretServicePrincipal(k8s);
  const [made] = assignmentsOn(contosoId).filter((a: { principalId: string }) => a.principalId === sp.id);
  const remade = { ...made, roleDefinitionId: made.roleDefinitionId.replace(/[^/]+$/, READER) };
  h.app.sandbox!.arm.state.roleAssignments.set(remade);

  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(directory.getApplicationByAppId(appId)).toBeUndefined();
  expect(assignmentsOn(contosoId).map((a: { name: string }) => a.name)).toContain(made.name);
  const entries = await h.app.audit.forRequest(id);
  expect(entries.find((e) => e.action === 'access.revoke.credential' && e.outcome === 'refused')).toMatchObject({
    targetIds: [made.id],
    detail: expect.stringMatching(
      /not the assignment acrbot made \(another role or scope\); left in place for an operator$/,
    ),
  });
  expect(await actions(id)).toContain('access.revoke.credential:deleted');
});
