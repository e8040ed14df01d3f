/**
 * `status R-…` of a failed request of tenant B, another allowed tenant than acrbot's own
 * (own-tenant.ts), read by an approver signed in to tenant B, through the real app: every request
 * of theirs is refused when it is made, so the stored error is given without its sentences naming
 * a `grant`, `secret` or `extend` command, then why and the way on (other-tenant-error.ts), as it
 * is given to its requester there and as the tab's drawer gives it to every reader there.
 * acrbot's own tenant's approver reads their own tenant's failed request's error as stored.
 */
import type { AccessRequest } from '../../src/domain/request';
import { OTHER_TENANT_NO_ASK_AGAIN } from '../../src/views/ask-again-command';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { answerInTenantB, recordedForTenantB, SERVING_TENANT_B } from '../helpers/tenant-b';

/** Any command a person of tenant B would be refused. */
const REFUSED_COMMAND = /@acrbot (grant|secret|extend)\b/;

/** A grant run's failure (grant-runner.ts) offering a pull secret meanwhile. */
const failure = (id: string) =>
  `${id}'s role assignment could not be made. Meanwhile a pull secret ("@acrbot secret aks-prod contosoacr --kind token …", the default kind) needs no role assignment.`;

/** `done` as a run that failed with {@link failure}. */
const failed = (done: AccessRequest): AccessRequest => ({
  ...done,
  state: 'failed',
  access: undefined,
  outcome: { summary: 'Failed', azureRequestIds: [], error: failure(done.id), errorCode: 'azure.failed' },
});

describe("a failed request's status, read by an approver of another tenant than acrbot's own", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(SERVING_TENANT_B);
  });
  afterAll(() => h?.stop());

  test('is given without the command to ask again, and why and the way on', async () => {
    const done = await grantApproved(h, 'aks-prod contosoacr --for 2d tenant b failed pulls');
    const made = await recordedForTenantB(h, failed(done));
    const answer = await answerInTenantB(h, users.approver, `status ${made.id}`);
    // Shown to them as an approver's look (not refused as someone else's), with its error cut.
    expect(answer).toContain(`${done.id}'s role assignment could not be made.`);
    expect(answer).toContain(OTHER_TENANT_NO_ASK_AGAIN);
    expect(answer).not.toMatch(REFUSED_COMMAND);
    expect(answer).not.toContain('Meanwhile a pull secret');
  });

  test("acrbot's own tenant's approver reads their tenant's failed request's error as stored", async () => {
    // Another pair: the first's role assignment is still in place, and would be "Access already exists".
    const done = await grantApproved(h, 'aks-legacy contosoacr --for 2d own tenant failed pulls');
    await h.app.store.update({ ...failed(done), version: done.version + 1 });
    const answer = await h.turnReplies(users.approver, `status ${done.id}`, 'personal');
    expect(answer).toContain('Meanwhile a pull secret ("@acrbot secret aks-prod contosoacr --kind token …"');
    expect(answer).not.toContain(OTHER_TENANT_NO_ASK_AGAIN);
  });
});
