/**
 * A member of another organisation in a conversation hosted by an allowed tenant (a Teams Connect
 * shared channel, a federated chat). Teams gives such a payload the host's tenant
 * (`channelData.tenant.id`, `conversation.tenantId`) and names the sender's own only in
 * `channelData.membershipSource.tenantId` or `from.membershipSources[].tenantId`
 * (microsoft/Agents#179). With both tenants allowed, such a member's message, Action.Submit and
 * Approve click are refused as a tenant not allowed is (`rejected.tenant`, audited, the refusal's
 * sentence), and nothing is requested or decided; the host's own members are served as before.
 */
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { cardAction, channelMessage, postActivity } from '../helpers/teams-activities';
import { OTHER_TENANT } from '../helpers/tenant-b';

const TWO_TENANTS = { ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` };
const SENTENCE = 'acrbot acts only for members of the organisation (tenant) hosting this conversation';
/** A membership source as Teams sends one, of the member's own tenant. */
const ownTenant = (tenantId: string) => ({
  sourceType: 'team',
  id: '19:their-team@thread.tacv2',
  membershipType: 'direct',
  tenantId,
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness(TWO_TENANTS);
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

async function lastSeq(): Promise<number> {
  return (await h.app.audit.latest(1))[0]?.seq ?? 0;
}

async function entriesSince(seq: number) {
  return (await h.app.audit.latest(50)).filter((e) => e.seq > seq);
}

/** Posts `activity` and returns the HTTP answer and the texts acrbot sent in the turn. */
async function post(activity: Record<string, unknown>): Promise<{ status: number; body: any; said: string[] }> {
  const before = h.connector.calls.length;
  const res = await postActivity(h.app.url, activity);
  await h.app.services.background.drain();
  const said = h.connector.calls
    .slice(before)
    .filter((c) => c.activity.type !== 'typing')
    .map((c) => cardText(c.activity));
  return { ...res, said };
}

test("a message in the host's channel from a member of another organisation is refused and audited; nothing is requested", async () => {
  const seq = await lastSeq();
  const message = channelMessage(users.requester, 'grant aks-prod contosoacr deploy payments-api to prod', {
    serviceUrl: h.serviceUrl,
  }) as Record<string, any>;
  message.channelData.membershipSource = ownTenant(OTHER_TENANT);
  const res = await post(message);
  expect(res.status).toBe(200);
  expect(res.said).toEqual([expect.stringContaining(SENTENCE)]);
  expect(await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded'])).toEqual([]);
  const entries = await entriesSince(seq);
  expect(entries).toEqual([
    expect.objectContaining({
      action: 'rejected.tenant',
      outcome: 'refused',
      tenantId: SANDBOX_TENANT_ID,
      actor: expect.objectContaining({ objectId: users.requester.objectId }),
      detail: `channel=msteams; member of tenant ${OTHER_TENANT}`,
    }),
  ]);
  expect(h.logs.lines.some((l) => l.includes('"refusal":"rejected.tenant"') && l.includes(SENTENCE))).toBe(true);
});

test('an Action.Submit (a message carrying card data) named by from.membershipSources is refused too', async () => {
  const submit = channelMessage(users.outsider, '', { serviceUrl: h.serviceUrl }) as Record<string, any>;
  delete submit.text;
  delete submit.entities;
  submit.value = { verb: 'grantForm', cluster: 'aks-prod', registry: 'contosoacr', reason: 'from the form' };
  submit.from.membershipSources = [ownTenant(SANDBOX_TENANT_ID), ownTenant(OTHER_TENANT.toUpperCase())];
  const res = await post(submit);
  expect(res.status).toBe(200);
  expect(res.said).toEqual([expect.stringContaining(SENTENCE)]);
});

test("an approver of the other organisation clicking Approve in the host's conversation is refused (403); the request stays pending", async () => {
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
  const seq = await lastSeq();
  const click = cardAction(
    users.approver,
    'approve',
    { requestId: request.id },
    { serviceUrl: h.serviceUrl },
  ) as Record<string, any>;
  click.channelData.membershipSource = ownTenant(OTHER_TENANT);
  const res = await post(click);
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ value: { code: 'Forbidden', message: expect.stringContaining(SENTENCE) } });
  await h.app.services.executor.drain();
  const after = (await h.app.store.get(request.id))!;
  expect(after.state).toBe('pending');
  expect(after.approvals ?? []).toEqual([]);
  expect((await entriesSince(seq)).map((e) => [e.action, e.detail])).toEqual([
    ['rejected.tenant', `channel=msteams; member of tenant ${OTHER_TENANT}`],
  ]);
  // The host's own approver, whose membership names the host, is served as before.
  const own = cardAction(users.approver, 'approve', { requestId: request.id }, { serviceUrl: h.serviceUrl }) as Record<
    string,
    any
  >;
  own.channelData.membershipSource = ownTenant(SANDBOX_TENANT_ID.toUpperCase());
  expect((await post(own)).status).toBe(200);
  expect((await h.settle(request.id)).state).toBe('succeeded');
});
