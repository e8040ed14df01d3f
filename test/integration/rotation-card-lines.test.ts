/**
 * A secret extension's (rotation's) plan card says what its run does: the scope map a
 * `--repositories` token gets, the application, password and role assignment an `sp` gets, and
 * the credential it deletes, which after an earlier extension is that extension's (the secret
 * holds it), not the original's (deleted by the earlier rotation already).
 */
import { planOperationLines } from '../../src/views/plan-operations';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  grantedSecretOnAksDev,
  h,
  requestExtension,
  secretServicePrincipal,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

/** The lines of `extensionId`'s plan card (as the approvers' card shows them). */
async function planCardLines(extensionId: string): Promise<string[]> {
  const card = await h.connector.waitFor(
    (c) => c.op !== 'update' && /rotation/.test(cardText(c.activity)) && cardText(c.activity).includes(extensionId),
    5000,
    `the plan card of ${extensionId}`,
  );
  // As the card shows them: the credential by the name the run gives it (the stored lines carry
  // the planner's REQUEST-ID placeholder, plan-operations.ts).
  const lines = planOperationLines((await h.app.store.get(extensionId))!);
  expect(lines.every((l) => cardText(card.activity).includes(l))).toBe(true);
  expect(cardText(card.activity)).not.toContain('REQUEST-ID');
  return lines;
}

test('--repositories: each rotation’s card has its scope map; the second names the first extension’s credential, which its run deletes', async () => {
  const { id } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --repositories team/app --for 2h pull for payments-api',
  );
  const firstId = await requestExtension(id, '--for 6h rollout still running');
  const first = await planCardLines(firstId);
  expect(first).toContain('Create scope map limited to team/app (pull only)');
  expect(first).toContain(`Create a new ACR token acrbot-${firstId.toLowerCase()} on that scope map`);
  expect(first).toContain(`Delete the credential of ${id}, which the secret holds now`);
  await h.click(users.approver, 'approve', { requestId: firstId });
  expect((await h.settle(firstId)).state).toBe('succeeded');

  const secondId = await requestExtension(id, '--for 12h rollout takes longer still');
  const second = await planCardLines(secondId);
  expect(second).toContain('Create scope map limited to team/app (pull only)');
  expect(second).toContain(`Delete the credential of ${firstId}, which the secret holds now`);
  expect(second.join('\n')).not.toContain(id);
  await h.click(users.approver, 'approve', { requestId: secondId });
  const done = await h.settle(secondId);
  // What the card said is what ran: the first extension's credential retired, the second's left.
  expect(done.outcome?.retired).toEqual({ requestId: firstId, credential: 'deleted' });
  expect(tokens()).toEqual([`acrbot-${secondId.toLowerCase()}`]);
});

test('--kind sp: the rotation’s card says a new application and service principal, a password and the pull role', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --kind sp --namespace payments --for 2h pull for payments-api',
  );
  const extensionId = await requestExtension(id, '--for 6h rollout still running');
  const lines = await planCardLines(extensionId);
  expect(lines).toEqual([
    expect.stringMatching(
      new RegExp(`^Create a new Entra application and service principal acrbot-pull-.*-${extensionId.toLowerCase()}$`),
    ),
    expect.stringMatching(/^Add a password expiring \d{4}-\d\d-\d\d \d\d:\d\d UTC \(shown to nobody\)$/),
    'Assign AcrPull on contosoacr to the service principal (principalType ServicePrincipal)',
    'Write it into the same secret payments/acr-auth (rotation)',
    `Delete the credential of ${id}, which the secret holds now`,
  ]);
  // What the card said is what ran: a new application in the secret; the original's is deleted
  // by the clean-up job once the new role can have applied (secret-sp-rotation-kept.test.ts).
  const before = secretServicePrincipal(k8s).appId;
  await h.click(users.approver, 'approve', { requestId: extensionId });
  const done = await h.settle(extensionId);
  expect(done.outcome?.retired).toEqual({ requestId: id, credential: 'pending' });
  expect(done.outcome?.retirement).toEqual({ requestId: id });
  const after = secretServicePrincipal(k8s);
  expect(after.appId).not.toBe(before);
  expect(after.directory.getApplicationByAppId(before)).toBeDefined();
});
