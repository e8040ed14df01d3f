/**
 * An `extend` acrbot cannot read (no id, a mistyped one, a broken Extend card's), from someone of
 * tenant B, another allowed tenant than acrbot's own (own-tenant.ts), through the real app: every
 * extension of theirs is refused whatever id they give, so they are told that, in the creation
 * refusal's words and audited `request.refused.otherTenant` as an extension given in full is
 * (AccessActions.createExtension), not shown how to type an `extend` ("Say which request to
 * extend: "extend REQUEST-ID …"", a typo's "e.g. "@acrbot extend R-7K2M9QXA …""). acrbot's own
 * tenant's people still get the usage line and the typo's hint, unaudited.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { OTHER_TENANT_REFUSAL_ACTION } from '../../src/domain/own-tenant';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { answerInTenantB, bea, OTHER_TENANT, SERVING_TENANT_B } from '../helpers/tenant-b';
import { cardAction, postActivity, type TeamsUser } from '../helpers/teams-activities';

/** The creation refusal of another tenant's request (own-tenant.ts otherTenantRefusal). */
const REFUSED =
  /acrbot's approvers are people of its own organisation's directory \(tenant [0-9a-f-]+\), and you are signed in to Teams as a user of another tenant/;
/** Any command a person of tenant B would be refused. */
const REFUSED_COMMAND = /@acrbot (grant|secret|extend)\b|"extend REQUEST-ID/;

describe("an extend acrbot cannot read, from another tenant than acrbot's own", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(SERVING_TENANT_B);
  });
  afterAll(() => h?.stop());

  /** `who`'s entries with `action`. */
  async function entries(who: TeamsUser, action: string): Promise<AuditEntry[]> {
    return (await h.app.audit.latest(10_000)).filter((e) => e.action === action && e.actor.objectId === who.objectId);
  }

  test.each([
    ['no id', 'extend'],
    ['a reason but no id', 'extend --for 2d still pulling nightly'],
    ['an id a character short', 'extend R-7K2M9QX --for 2d still pulling nightly'],
    ['a letter ids never use', 'extend R-7K2M9QX0 --for 2d still pulling nightly'],
    ['a full stop after the id', 'extend R-7K2M9QXA. still pulling nightly'],
  ])('%s: the other-tenant refusal, audited, not how to type an extend', async (_what, text) => {
    const before = (await entries(bea, OTHER_TENANT_REFUSAL_ACTION)).length;
    const answer = await answerInTenantB(h, bea, text);
    expect(answer).toMatch(REFUSED);
    expect(answer).toContain('with a guest account');
    expect(answer).not.toMatch(REFUSED_COMMAND);
    expect(answer).not.toMatch(/Say which request|is not a request id/);
    const audited = await entries(bea, OTHER_TENANT_REFUSAL_ACTION);
    expect(audited).toHaveLength(before + 1);
    expect(audited[audited.length - 1]).toMatchObject({ tenantId: OTHER_TENANT, outcome: 'refused' });
  });

  test("a broken Extend card's click: the other-tenant refusal, not the command to type instead", async () => {
    const before = (await entries(bea, OTHER_TENANT_REFUSAL_ACTION)).length;
    const res = await postActivity(
      h.app.url,
      cardAction(bea, 'extend', { requestId: 'not-an-id' }, { serviceUrl: h.serviceUrl, tenantId: OTHER_TENANT }),
    );
    expect(res.status).toBe(200);
    const answer = cardText({ attachments: [{ content: res.body?.value }] });
    expect(answer).toMatch(REFUSED);
    expect(answer).not.toMatch(REFUSED_COMMAND);
    // The forged card is audited as any (validation.failed), and the refusal as their extension's.
    expect(await entries(bea, OTHER_TENANT_REFUSAL_ACTION)).toHaveLength(before + 1);
    expect((await entries(bea, 'validation.failed')).at(-1)).toMatchObject({ outcome: 'badCardData' });
  });

  test("acrbot's own tenant's requester still gets the usage line and the typo's hint, unaudited", async () => {
    const before = (await entries(users.requester, OTHER_TENANT_REFUSAL_ACTION)).length;
    expect(await h.ask(users.requester, 'extend')).toContain(
      'Say which request to extend: "extend REQUEST-ID --for 30d REASON…"',
    );
    expect(await h.ask(users.requester, 'extend R-7K2M9QX --for 2d release slipped')).toContain(
      '"R-7K2M9QX" is not a request id',
    );
    expect(await entries(users.requester, OTHER_TENANT_REFUSAL_ACTION)).toHaveLength(before);
  });
});
