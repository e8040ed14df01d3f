/**
 * Who may be served at all (G2, G3), asked of identifyTurn directly: a tenant id matches
 * ACRBOT_ALLOWED_TENANTS in either case (Teams and Entra print GUIDs both ways), another tenant is
 * refused, and the acting user is `from.aadObjectId`, never anything else of the activity.
 */
import type { Activity } from 'botbuilder';
import { identifyTurn, isRefusal } from '../../src/bot/turn-identity';

const TENANT = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const OTHER = '7c2f0000-0000-4000-8000-00000000b0b0';
const USER = '0a000000-0000-4000-8000-00000000aaa1';

function activity(tenantId: unknown, extra: Partial<Activity> = {}): Partial<Activity> {
  return {
    channelId: 'msteams',
    from: { id: '29:1', aadObjectId: USER, name: 'Riley Requester' },
    channelData: { tenant: { id: tenantId } },
    conversation: { id: 'a:1', tenantId: OTHER } as Activity['conversation'],
    ...extra,
  };
}

describe('identifyTurn', () => {
  test('a tenant listed in either case is served, with the sender as the actor', () => {
    for (const [sent, allowed] of [
      [TENANT.toUpperCase(), [TENANT]],
      [TENANT, [TENANT.toUpperCase()]],
    ] as const) {
      const identity = identifyTurn(activity(sent), allowed);
      expect(isRefusal(identity)).toBe(false);
      expect(identity).toMatchObject({ actor: { objectId: USER, name: 'Riley Requester' }, tenantId: sent });
    }
  });

  test("another tenant is refused, whatever the conversation's tenant says", () => {
    expect(identifyTurn(activity(OTHER), [TENANT])).toMatchObject({ code: 'rejected.tenant' });
    // channelData's tenant is the one read; the conversation's listed tenant does not replace it.
    const listed = { conversation: { id: 'a:1', tenantId: TENANT } as Activity['conversation'] };
    expect(identifyTurn(activity(OTHER, listed), [TENANT])).toMatchObject({ code: 'rejected.tenant' });
    expect(identifyTurn(activity(42), [TENANT])).toMatchObject({ code: 'rejected.tenant' });
  });

  test('no Entra object id, or another channel, is refused', () => {
    expect(identifyTurn(activity(TENANT, { from: { id: '29:1', name: 'x' } }), [TENANT])).toMatchObject({
      code: 'rejected.identity',
    });
    expect(identifyTurn(activity(TENANT, { channelId: 'webchat' }), [TENANT])).toMatchObject({
      code: 'rejected.channel',
    });
  });
});
