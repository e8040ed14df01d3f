/**
 * A break-glass request is stored approved by its own requester (the run needs nobody), so its
 * decision names them: their Approve on its card, clicked again, is not "your decision stands"
 * (request-decision.ts ownDecisionStands). Before its review it is handled as a review (nobody
 * reviews their own); after it, refused and audited as any click on a request decided already,
 * as the reviewer's second click is. Through the real card handlers (sandbox mode).
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import type { AccessRequest } from '../../src/domain/request';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

/** On call: may use break-glass, and is no approver. */
const adele = SANDBOX_USERS.oncall as TeamsUser;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ ACRBOT_POLICY: writePolicyFile(tempDirs.make('acrbot-own-bg-'), breakGlassPolicyYaml()) });
}, 60_000);
afterEach(async () => {
  await h?.stop();
});

/** A click; returns its answer and the decision and refusal entries it wrote. */
async function click(user: TeamsUser, request: AccessRequest) {
  const before = (await h.app.audit.forRequest(request.id)).length;
  const res = await h.click(user, 'approve', { requestId: request.id });
  expect(res.status).toBe(200);
  const actions = (await h.app.audit.forRequest(request.id))
    .slice(before)
    .map((e) => e.action)
    .filter((a) => /^(request|approval|breakglass)\./.test(a));
  return { text: cardText({ attachments: [{ content: res.body?.value }] }), actions };
}

test("a break-glass requester's Approve is never their decision standing: a review before it is reviewed, refused after", async () => {
  const request = await h.requestGrant(adele, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
  const ran = await h.settle(request.id);
  // Stored as decided by its requester: what the guard is for.
  expect(ran).toMatchObject({ state: 'succeeded', policy: { breakGlass: true }, decision: { approved: true } });
  expect(ran.decision!.by.objectId).toBe(adele.objectId);

  // Awaiting its review: her click is one, and she may not review her own.
  const early = await click(adele, request);
  expect(early.text).not.toContain('your decision stands');
  expect((await h.app.store.get(request.id))!.policy!.review!.outcome).toBeUndefined();

  // Kept by the approver.
  await click(users.approver, request);
  const reviewed = (await h.app.store.get(request.id))!;
  expect(reviewed.policy!.review).toMatchObject({ outcome: 'accepted', by: { objectId: users.approver.objectId } });

  // Reviewed: her Approve again is refused and audited, nothing changed.
  const late = await click(adele, request);
  expect(late.text).not.toContain('your decision stands');
  expect(late.text).toContain(`Request ${request.id} ran as break-glass by Adele Operator`);
  expect(late.text).toContain('nothing was changed.');
  expect(late.actions).toEqual(['approval.refused.stale']);
  // The reviewer's second click likewise: the review is no decision of theirs that stands.
  const again = await click(users.approver, request);
  expect(again.text).not.toContain('your decision stands');
  expect(again.text).toContain(`Request ${request.id} ran as break-glass by Adele Operator`);
  expect(again.actions).toEqual(['approval.refused.stale']);
  expect((await h.app.store.get(request.id))!.version).toBe(reviewed.version);
});
