/**
 * A secret extension (a rotation) that fails says on its outcome card that its original's access
 * was not extended and when it still ends, as a failed grant extension does; and it names the
 * credential of its plan only when its run made one (the Clean-up row then says what became of
 * it). Before, a rotation stopped by a deleted namespace listed "Credential: ACR token
 * acrbot-r-…", a token never created, and no failed rotation said the access was untouched.
 */
import { tokenNameFor } from '../../src/domain/secret-credential';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { grantedSecretOnAksDev, h, requestExtension, tokens, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

/** The outcome card of `extensionId` sent to the requester, as text. */
async function outcomeText(extensionId: string): Promise<string> {
  const card = await h.connector.waitFor(
    (c) =>
      c.op !== 'update' &&
      /The request failed/.test(cardText(c.activity)) &&
      cardText(c.activity).includes(extensionId),
    5000,
    `the outcome card of ${extensionId}`,
  );
  return cardText(card.activity);
}

test('namespace deleted before the rotation: the access is not extended, and no credential is named', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --service-account default --for 10m pull for payments-api',
  );
  const extensionId = await requestExtension(id, '--for 1h rollout still running');
  k8s.deleteObject('secrets', 'payments', 'acr-auth');
  k8s.deleteObject('serviceaccounts', 'payments', 'default');
  k8s.deleteObject('namespaces', '', 'payments');
  h.connector.clear();
  await h.click(users.approver, 'approve', { requestId: extensionId });
  const done = await h.settle(extensionId);
  expect(done.state).toBe('failed');
  expect(done.outcome?.error).toContain(`Access of ${id} was not extended; it still ends at 2026-11-30 10:10 UTC.`);
  const text = await outcomeText(extensionId);
  expect(text).toContain(`Access of ${id} was not extended; it still ends at 2026-11-30 10:10 UTC.`);
  // The run stopped before its credential step: the token its plan names was never created.
  expect(tokens()).not.toContain(tokenNameFor(extensionId));
  expect(text).not.toContain(tokenNameFor(extensionId));
  expect(text).not.toMatch(/\bCredential\b/);
  // The original is untouched: its end is where it was.
  expect((await h.app.store.get(id))!.access?.expiresAt).toBe('2026-11-30T10:10:00.000Z');
});

test('secret write refused: the credential made is named with its clean-up, and the access is not extended', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --service-account default --for 10m pull for payments-api',
  );
  const extensionId = await requestExtension(id, '--for 1h rollout still running');
  const undoUpdate = k8s.faults.inject({ verb: 'update', resource: 'secrets', status: 403, times: Infinity });
  const undoPatch = k8s.faults.inject({ verb: 'patch', resource: 'secrets', status: 403, times: Infinity });
  try {
    h.connector.clear();
    await h.click(users.approver, 'approve', { requestId: extensionId });
    const done = await h.settle(extensionId);
    expect(done.state).toBe('failed');
    expect(done.outcome?.cleanup).toBe('deleted');
    const text = await outcomeText(extensionId);
    expect(text).toMatch(
      new RegExp(
        `The credential acrbot had created was deleted again\\. Access of ${id} was not extended; it still ends at 2026-11-30 10:10 UTC\\.`,
      ),
    );
    expect(text).toContain(`ACR token ${tokenNameFor(extensionId)}`);
    expect(text).toContain('the credential was deleted again');
  } finally {
    undoUpdate();
    undoPatch();
  }
});
