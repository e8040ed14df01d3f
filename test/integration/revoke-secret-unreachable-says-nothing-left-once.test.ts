/**
 * A pull secret's revocation whose cluster cannot be reached: the approvers' report says the
 * secret is what is left, and its "last answer" (the removal's own read of the secret) does not
 * say, as a failed read elsewhere does, that nothing was left behind.
 */
import { cardText } from '../helpers/capturing-connector';
import { advance, grantedSecretOnAksDev, h, MINUTE, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

test('cluster unreachable at expiry: the report names the secret as left, never "nothing was left behind"', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
  );
  const unreachable = k8s.faults.inject({ drop: true, times: Infinity });
  h.connector.clear();
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  const reports = h.connector.calls
    .map((c) => cardText(c.activity))
    .filter((text) => /Needs attention/.test(text) && text.includes('Revoking the access is not done'));
  expect(reports).toHaveLength(1);
  expect(reports[0]).toContain('What is left is the secret itself');
  expect(reports[0]).toContain('could not be reached (no answer) while acrbot tried to read secrets');
  expect(reports[0]).not.toContain('nothing was left behind');
  unreachable();
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
});
