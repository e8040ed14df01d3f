/**
 * An extension asked by someone of tenant B, another allowed tenant than acrbot's own
 * (own-tenant.ts), of a grant an earlier release made for tenant B that cannot be extended for a
 * reason of its own (its role assignment drifted, it was break-glass, it is someone else's),
 * through the real app: every request of theirs is refused when it is made, so they are told that
 * first (`request.refused.otherTenant`), not the grant's own refusal, whose way on ("Ask for the
 * access again with "@acrbot grant …"", "ask for a normal grant", "ask for your own grant") would
 * be refused too. Typed in chat and from the tab alike. acrbot's own tenant's requester of a
 * drifted grant is still told to ask for it again. And the tab's drawer of a failed request gives
 * tenant B's requester its stored error as chat's `status R-…` does: without a command to ask again.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { OTHER_TENANT_NO_ASK_AGAIN } from '../../src/views/ask-again-command';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { tabCall } from '../helpers/tab-call';
import {
  answerInTenantB,
  bea,
  blake,
  OTHER_TENANT,
  recordedForTenantB,
  SERVING_TENANT_B,
  tabTokenInTenantB,
} from '../helpers/tenant-b';
import type { TeamsUser } from '../helpers/teams-activities';

/** The creation refusal of another tenant's request (own-tenant.ts otherTenantRefusal). */
const REFUSED =
  /acrbot's approvers are people of its own organisation's directory \(tenant [0-9a-f-]+\), and you are signed in to Teams as a user of another tenant/;
/** Any command a person of tenant B would be refused. */
const REFUSED_COMMAND = /@acrbot (grant|secret|extend)\b/;
/** The drift refusal's own words (drifted-access.ts). */
const DRIFT_WORDS = 'was removed or changed outside acrbot';

describe("an extension asked from another tenant than acrbot's own, of a grant that cannot be extended anyway", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(SERVING_TENANT_B);
  });
  afterAll(() => h?.stop());

  /** What acrbot answers `user` of tenant B in their personal chat for `text`. */
  const inTenantB = (user: TeamsUser, text: string): Promise<string> => answerInTenantB(h, user, text);

  /** `done` stored over as an earlier release recorded it for Bea of tenant B, with `changes`. */
  const beasGrant = (done: AccessRequest, changes: Partial<AccessRequest> = {}): Promise<AccessRequest> =>
    recordedForTenantB(h, { ...done, ...changes });

  /** `done` with its role assignment marked removed outside acrbot by the drift check. */
  const drifted = (done: AccessRequest): Partial<AccessRequest> => ({
    access: { ...done.access!, driftDetectedAt: '2025-01-01T00:00:00.000Z' },
  });

  /** The audit entries of `request` by `who` with `action`. */
  async function entries(who: TeamsUser, action: string, request?: AccessRequest): Promise<AuditEntry[]> {
    return (await h.app.audit.latest(10_000)).filter(
      (e) =>
        e.action === action &&
        e.actor.objectId === who.objectId &&
        (!request || e.targetIds.includes(request.plan.registry.id)),
    );
  }

  test('its requester typing extend of a drifted grant is told the other-tenant refusal, not the drift and "@acrbot grant"', async () => {
    const done = await grantApproved(h, 'aks-prod contosoacr --for 2d tenant b nightly pulls');
    const made = await beasGrant(done, drifted(done));
    const before = (await entries(bea, 'request.refused.otherTenant')).length;
    const refusedBefore = (await entries(bea, 'extend.refused')).length;

    const answer = await inTenantB(bea, `extend ${made.id} --for 2d still pulling nightly`);
    expect(answer).toMatch(REFUSED);
    expect(answer).toContain('with a guest account');
    expect(answer).not.toMatch(REFUSED_COMMAND);
    expect(answer).not.toContain(DRIFT_WORDS);
    // Audited as the refusal it is, as any request of theirs; not as the drift's `extend.refused`.
    const audited = await entries(bea, 'request.refused.otherTenant');
    expect(audited).toHaveLength(before + 1);
    expect(audited[audited.length - 1]).toMatchObject({ tenantId: OTHER_TENANT, outcome: 'refused' });
    expect(await entries(bea, 'extend.refused')).toHaveLength(refusedBefore);
    expect((await h.app.store.get(made.id))!.access?.expiresAt).toBe(done.access?.expiresAt);
  });

  test('a break-glass grant of theirs: not "ask for a normal grant"; someone else of tenant B: not "ask for your own grant"', async () => {
    const done = await grantApproved(h, 'aks-prod contosoacr --for 2d tenant b weekly pulls');
    const made = await beasGrant(done, { policy: { ...done.policy!, breakGlass: true } });
    const hers = await inTenantB(bea, `extend ${made.id} --for 2d still pulling weekly`);
    expect(hers).toMatch(REFUSED);
    expect(hers).not.toContain('break-glass access, which cannot be extended');
    expect(hers).not.toMatch(REFUSED_COMMAND);

    const his = await inTenantB(blake, `extend ${made.id} --for 2d still pulling weekly`);
    expect(his).toMatch(REFUSED);
    expect(his).not.toContain('you can ask for your own grant');
  });

  test("the tab's Extend of their drifted grant: 403 in the other-tenant refusal's words, not the drift's 409", async () => {
    const done = await grantApproved(h, 'aks-prod contosoacr --for 2d tenant b tab pulls');
    const made = await beasGrant(done, drifted(done));
    const token = await tabTokenInTenantB(h);
    const posted = await tabCall(h.app.url, `/api/tab/requests/${made.id}/extend`, token, {
      duration: '2d',
      reason: 'still pulling from the tab',
    });
    expect(posted.status).toBe(403);
    expect(posted.body).toMatchObject({ error: 'request.otherTenant' });
    expect(posted.body.message).toMatch(REFUSED);
    expect(posted.text).not.toMatch(REFUSED_COMMAND);
  });

  test("the tab's drawer of their failed request gives its error without a command to ask again, as `status R-…` does", async () => {
    const done = await grantApproved(h, 'aks-prod contosoacr --for 2d tenant b failed pulls');
    const error = `${done.id}'s role assignment could not be made. Meanwhile a pull secret ("@acrbot secret aks-prod contosoacr --kind token …", the default kind) needs no role assignment.`;
    const made = await beasGrant(done, {
      state: 'failed',
      access: undefined,
      outcome: { summary: 'Failed', azureRequestIds: [], error, errorCode: 'azure.failed' },
    });
    const token = await tabTokenInTenantB(h);
    const drawer = await tabCall(h.app.url, `/api/tab/requests/${made.id}`, token);
    expect(drawer.status).toBe(200);
    expect(drawer.body.outcome.error).toBe(
      `${done.id}'s role assignment could not be made. ${OTHER_TENANT_NO_ASK_AGAIN}`,
    );
    // The chat's card of the same request says the same.
    const status = await inTenantB(bea, `status ${made.id}`);
    expect(status).toContain(OTHER_TENANT_NO_ASK_AGAIN);
    expect(status).not.toMatch(REFUSED_COMMAND);
  });

  test("acrbot's own tenant's requester of a drifted grant is still told of the drift and to ask again", async () => {
    const done = await grantApproved(h, 'aks-prod contosoacr --for 2d deploy payments-api');
    const marked: AccessRequest = { ...done, ...drifted(done), version: done.version + 1 };
    await h.app.store.update(marked);
    const own = await h.ask(users.requester, `extend ${done.id} --for 2d release still running`);
    expect(own).toContain(DRIFT_WORDS);
    expect(own).toContain('@acrbot grant aks-prod contosoacr REASON…');
    expect(own).not.toContain('guest account');
  });
});
