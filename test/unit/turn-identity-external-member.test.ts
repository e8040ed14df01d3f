/**
 * A member of another organisation in a conversation hosted by an allowed tenant (a Teams Connect
 * shared channel, a federated chat): the activity's tenant is the host's, and only
 * `channelData.membershipSource.tenantId` or `from.membershipSources[].tenantId` names the
 * sender's own (microsoft/Agents#179). identifyTurn refuses such a sender as it refuses a tenant
 * not allowed, even when their own tenant is allowed too; a membership naming the host, or a
 * malformed one, changes nothing.
 */
import type { Activity } from 'botbuilder';
import { foreignMemberTenants, identifyTurn, isRefusal } from '../../src/bot/turn-identity';

const HOST = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const OTHER = '7c2f0000-0000-4000-8000-00000000b0b0';
const USER = '0a000000-0000-4000-8000-00000000aaa1';
const BOTH = [HOST, OTHER];

function activity(
  membership: { channelData?: unknown; fromSources?: unknown } = {},
  type: string = 'message',
): Partial<Activity> {
  return {
    type,
    channelId: 'msteams',
    from: {
      id: '29:1',
      aadObjectId: USER,
      name: 'Riley Requester',
      ...('fromSources' in membership ? { membershipSources: membership.fromSources } : {}),
    } as Activity['from'],
    channelData: {
      tenant: { id: HOST },
      ...('channelData' in membership ? { membershipSource: membership.channelData } : {}),
    },
    conversation: { id: '19:shared@thread.tacv2', tenantId: HOST } as Activity['conversation'],
  };
}

const source = (tenantId: unknown) => ({
  sourceType: 'team',
  id: '19:t@thread.tacv2',
  membershipType: 'direct',
  tenantId,
});

describe('identifyTurn: a member of another organisation', () => {
  test.each([
    ['channelData.membershipSource', activity({ channelData: source(OTHER) })],
    ['from.membershipSources', activity({ fromSources: [source(OTHER)] })],
    ['from.membershipSources, after one naming the host', activity({ fromSources: [source(HOST), source(OTHER)] })],
    ['a card click (invoke)', activity({ channelData: source(OTHER) }, 'invoke')],
  ])('named by %s is refused, though their own tenant is allowed too', (_where, sent) => {
    const refusal = identifyTurn(sent, BOTH);
    expect(refusal).toMatchObject({
      code: 'rejected.tenant',
      message: expect.stringContaining('only for members of the organisation (tenant) hosting this conversation'),
      detail: `member of tenant ${OTHER}`,
    });
    // …and with their own tenant not allowed, the same.
    expect(identifyTurn(sent, [HOST])).toMatchObject({ code: 'rejected.tenant', detail: `member of tenant ${OTHER}` });
  });

  test("a membership naming the host tenant (in either case) is served as the host's user", () => {
    for (const sent of [
      activity({ channelData: source(HOST.toUpperCase()) }),
      activity({ fromSources: [source(HOST), source(` ${HOST} `)] }),
    ]) {
      const identity = identifyTurn(sent, [HOST]);
      expect(isRefusal(identity)).toBe(false);
      expect(identity).toMatchObject({ actor: { objectId: USER }, tenantId: HOST });
    }
  });

  test('a host tenant the activity names in upper case, and the membership in lower case, is no other tenant', () => {
    const sent = activity({ channelData: source(HOST), fromSources: [source(HOST)] });
    const upper = HOST.toUpperCase();
    const hosted = {
      ...sent,
      channelData: { ...(sent.channelData as object), tenant: { id: upper } },
      conversation: { ...sent.conversation, tenantId: upper } as Activity['conversation'],
    };
    const identity = identifyTurn(hosted, [HOST]);
    expect(isRefusal(identity)).toBe(false);
    expect(identity).toMatchObject({ actor: { objectId: USER }, tenantId: upper });
    expect(foreignMemberTenants(hosted, upper)).toEqual([]);
  });

  test('a malformed membership says nothing: ignored, never thrown on', () => {
    const malformed: Array<{ channelData?: unknown; fromSources?: unknown }> = [
      { channelData: source(42) },
      { channelData: source({ id: OTHER }) },
      { channelData: source('') },
      { channelData: source('   ') },
      { channelData: OTHER },
      { channelData: null },
      { channelData: [source(OTHER)] },
      { fromSources: source(OTHER) },
      { fromSources: OTHER },
      { fromSources: [null, 7, 'x', [source(OTHER)], source(undefined)] },
    ];
    for (const membership of malformed) {
      const identity = identifyTurn(activity(membership), [HOST]);
      expect({ membership, refused: isRefusal(identity) }).toEqual({ membership, refused: false });
    }
  });

  test('a tenant not allowed is refused first, with its own sentence', () => {
    const refusal = identifyTurn(activity({ channelData: source(OTHER) }), [OTHER]);
    expect(refusal).toMatchObject({ code: 'rejected.tenant', message: expect.stringContaining('not enabled') });
    expect(refusal).not.toHaveProperty('detail');
  });

  test('foreignMemberTenants names each other tenant once, whatever its case', () => {
    const sent = activity({
      channelData: source(OTHER),
      fromSources: [source(OTHER.toUpperCase()), source(HOST), source(OTHER)],
    });
    expect(foreignMemberTenants(sent, HOST)).toEqual([OTHER]);
  });
});
