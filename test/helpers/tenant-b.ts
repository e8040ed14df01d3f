/**
 * Tenant B, an allowed tenant other than acrbot's own (own-tenant.ts), as the integration tests of
 * its people set it up: its id, two of its people, the setting that serves it beside acrbot's own,
 * what acrbot answers them, and a request of theirs. Every request of tenant B's is refused when it
 * is made, so theirs is one an earlier release recorded: made in acrbot's own tenant and then
 * stored over as theirs.
 */
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from './capturing-connector';
import type { Harness } from './harness';
import { SANDBOX_TAB_AUDIENCE } from './tab-call';
import { channelMessage, personalMessage, postActivity, type TeamsUser } from './teams-activities';

/** Tenant B's id. */
export const OTHER_TENANT = '9e9e9e9e-0000-4000-8000-000000000f0f';

/** Bea, of tenant B: not in acrbot's directory. */
export const bea: TeamsUser = {
  objectId: '9b000000-0000-4000-8000-0000000000b1',
  name: 'Bea Other',
  teamsId: '29:bea-other',
};

/** Blake, of tenant B too, who has no request of his own. */
export const blake: TeamsUser = {
  objectId: '9b000000-0000-4000-8000-0000000000b2',
  name: 'Blake Other',
  teamsId: '29:blake',
};

/** The setting (for `startHarness`) that serves acrbot's own tenant and tenant B. */
export const SERVING_TENANT_B = { ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` } as const;

/**
 * What acrbot answers `user` of tenant B for `text`, said in their personal chat with it or in the
 * team channel: the text of the first message of that turn that has any (a typing indicator has
 * none), which must come within the connector's wait.
 */
export async function answerInTenantB(
  h: Harness,
  user: TeamsUser,
  text: string,
  where: 'personal' | 'channel' = 'personal',
): Promise<string> {
  const before = h.connector.calls.length;
  const o = { serviceUrl: h.serviceUrl, tenantId: OTHER_TENANT };
  const res = await postActivity(
    h.app.url,
    where === 'channel' ? channelMessage(user, text, o) : personalMessage(user, text, o),
  );
  expect(res.status).toBe(200);
  const reply = await h.connector.waitFor(
    (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity) !== '',
    10_000,
    `an answer to "${text}" in tenant B`,
  );
  return cardText(reply.activity);
}

/**
 * Stores `request` over as an earlier release recorded it: of tenant B, its requester `requester`
 * (Bea unless said) as the record names people. The request as stored.
 */
export async function recordedForTenantB(
  h: Harness,
  request: AccessRequest,
  requester: Pick<TeamsUser, 'objectId' | 'name'> = bea,
): Promise<AccessRequest> {
  const theirs: AccessRequest = {
    ...request,
    version: request.version + 1,
    tenantId: OTHER_TENANT,
    requester: { objectId: requester.objectId, name: requester.name },
  };
  await h.app.store.update(theirs);
  return theirs;
}

/** `user`'s token for the tab, signed in to tenant B (an allowed tenant: the tab serves them). */
export function tabTokenInTenantB(h: Harness, user: TeamsUser = bea): Promise<string> {
  return h.app.sandbox!.identity.issue({
    user: 'outsider',
    audience: SANDBOX_TAB_AUDIENCE,
    claims: { tid: OTHER_TENANT, oid: user.objectId, name: user.name },
  });
}
