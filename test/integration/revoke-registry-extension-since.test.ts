/**
 * A registry's revoke card (`revoke registry NAME`) whose listed request changed since it was
 * drawn, its ids the same: an extension of the listed pull secret approved meanwhile is its
 * original on the card (the same id), but its preview now deletes the extension too. The click
 * compares the card's fingerprint with the registry read again, not only its ids: it answers with
 * the new card and revokes nothing; that card's click revokes.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  extendApproved,
  grantedSecretOnAksDev,
  h,
  stateOnceClickWorkDone,
  useLifecycleHooks,
} from '../helpers/lifecycle';

const textOf = (card: any) => cardText({ attachments: [{ content: card }] });

async function registryCard(): Promise<any> {
  h.connector.clear();
  await h.say(users.approver, 'revoke registry contosoacr incident 42');
  const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
  return sent.activity.attachments![0]!.content;
}

async function clickRevoke(card: any): Promise<any> {
  return (await h.click(users.approver, 'revokeConfirm', card.actions[0].data)).body?.value;
}

describe('revoke registry NAME', () => {
  useLifecycleHooks();

  test('an extension approved between the card and the click: redrawn with it, nothing revoked', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const card = await registryCard();
    expect(textOf(card)).not.toContain('extension');
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    const fresh = await clickRevoke(card);
    expect(textOf(fresh)).toContain('This changed since the card was drawn; review again.');
    expect(textOf(fresh)).toContain(extensionId);
    expect(await stateOnceClickWorkDone(id)).toBe('succeeded');

    expect(textOf(await clickRevoke(fresh))).toContain('Revoking');
    expect(await stateOnceClickWorkDone(id)).toBe('revoked');
  });
});
