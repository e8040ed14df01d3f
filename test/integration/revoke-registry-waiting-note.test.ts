/**
 * The note of a registry's revoke card naming requests there not run yet leaves out an extension
 * of a request the card revokes (the revoke closes it: approving it is refused), and still names
 * any other request waiting on the registry, from any cluster. A read of those that fails leaves
 * the note out, not the card: the revoke does not depend on it.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { grantedSecretOnAksDev, h, requestExtension, second, useLifecycleHooks } from '../helpers/lifecycle';

describe('revoke registry NAME', () => {
  useLifecycleHooks();

  test('a pending extension of a listed request is not named as waiting; another pending request is', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const extensionId = await requestExtension(id, '--for 1h rollout still running');
    const other = await h.requestGrant(second, 'aks-prod contosoacr --for 30d second team deploys');

    h.connector.clear();
    await h.say(users.approver, 'revoke registry contosoacr incident 42');
    const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
    const text = cardText(sent.activity);
    expect(text).toContain(id);
    expect(text).toContain(other.id);
    expect(text).not.toContain(extensionId);
  });

  test('the read of the requests not run yet fails: the card is drawn without the note', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const other = await h.requestGrant(second, 'aks-prod contosoacr --for 30d second team deploys');
    jest
      .spyOn(h.app.services.lifecycle.flow, 'waitingOnRegistry')
      .mockRejectedValue(new Error('the request store timed out'));

    h.connector.clear();
    await h.say(users.approver, 'revoke registry contosoacr incident 42');
    const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
    const text = cardText(sent.activity);
    expect(text).toContain(id);
    expect(text).not.toContain(other.id);
  });
});
