/**
 * Revoking an extension and clicking a stale revoke card (G17), through the real app:
 * - `revoke R-<extension>` (chat, and the tab's Revoke on the extension's row) revokes the
 *   original whose access the extension is, with all its extensions, and its card says so; who
 *   may is decided on the original. Before, only the extension ended: a grant kept its
 *   assignment and its original stayed active; a secret lost its secret while the original
 *   stayed "active".
 * - A confirmation card whose list changed since it was drawn (an extension approved, a holder
 *   that kept a role assignment ended, another grant on the pair) revokes nothing when clicked:
 *   the answer is the new card, whose own click then revokes. A pair's card is compared with the
 *   pair read again, so a request on it that changes none of the listed steps (a pull secret
 *   approved since) is found too.
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  actions,
  advance,
  assignmentsOn,
  contosoId,
  extendApproved,
  grant,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  now,
  second,
  secretApproved,
  start,
  stateOnceClickWorkDone,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';
import { tabCall } from '../helpers/tab-call';
import type { TeamsUser } from '../helpers/teams-activities';

/** The data of a card's Revoke button, as Teams sends it back when clicked. */
function revokeButton(card: any): Record<string, unknown> {
  const action = (card.actions ?? []).find((a: { verb?: string }) => a.verb === 'revokeConfirm');
  if (!action) throw new Error(`no revoke button on: ${cardText({ attachments: [{ content: card }] })}`);
  return action.data;
}

/** The confirmation card `user` gets for `command` (its content). */
async function confirmationFor(user: TeamsUser, command: string): Promise<any> {
  h.connector.clear();
  await h.say(user, command);
  const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
  return sent.activity.attachments![0]!.content;
}

/** Clicks a card's Revoke button as `user`; the card the click answers with. */
async function clickRevoke(user: TeamsUser, card: any): Promise<any> {
  const res = await h.click(user, 'revokeConfirm', revokeButton(card));
  return res.body?.value;
}

/** A third requester (one who also approves others' requests, never their own). */
const megan = SANDBOX_USERS.secondApprover as TeamsUser;

const textOf = (card: any) => cardText({ attachments: [{ content: card }] });

/**
 * The approver's revoke card for the aks-dev/contosoacr pair, listing `listed`; then megan's pull
 * secret approved on the pair; then the card clicked. The click answers with a new card, which
 * says the list changed and lists `relisted`; the secret's id.
 */
async function pairCardClickedAfterASecret(listed: string, relisted: string) {
  const card = await confirmationFor(users.approver, 'revoke aks-dev contosoacr incident 42');
  expect(textOf(card)).toContain(`Revoke ${listed} of aks-dev on contosoacr?`);
  const secretId = await secretApproved(
    megan,
    'aks-dev contosoacr --namespace payments --service-account default --for 30d pull for payments-api',
  );
  const redrawn = await clickRevoke(users.approver, card);
  expect(textOf(redrawn)).toContain('This changed since the card was drawn; review again.');
  expect(textOf(redrawn)).toContain(`Revoke ${relisted} of aks-dev on contosoacr?`);
  return { redrawn, secretId };
}

/** Notices (not card updates) that tell the requester someone revoked their access. */
const revokedNotices = () =>
  h.connector.calls.filter((c) => c.op !== 'update' && /revoked your access/.test(cardText(c.activity)));

describe('revoking an extension revokes the access it is part of', () => {
  useLifecycleHooks();

  test('a grant: the card is the original\u2019s and says so; the click revokes both and deletes the assignment', async () => {
    await start();
    const original = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await extendApproved(original.id, '--for 1h release still running');
    const card = await confirmationFor(users.requester, `revoke ${extensionId} done early`);
    expect(textOf(card)).toContain(`Revoke ${original.id}?`);
    expect(textOf(card)).toContain(
      `${extensionId} extends ${original.id}: revoking ends ${original.id}'s access and its extensions.`,
    );
    expect(textOf(card)).toContain('Delete role assignment AcrPull');
    expect(textOf(card)).toContain(`Delete extension ${extensionId}`);
    expect(revokeButton(card).requestId).toBe(original.id);

    h.connector.clear();
    expect(textOf(await clickRevoke(users.requester, card))).toContain(`Revoking ${original.id}`);
    expect(await stateOnceClickWorkDone(original.id)).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(await actions(original.id)).toEqual(
      expect.arrayContaining(['access.revoke.roleAssignment:deleted', 'access.revoked:revoked']),
    );
    expect(await actions(extensionId)).not.toContain('access.revoke.roleAssignment:kept');
    // Told once, of the access that ended.
    expect(revokedNotices()).toHaveLength(1);
    expect(cardText(revokedNotices()[0]!.activity)).toContain(original.id);
  });

  test('a click naming the extension (a card drawn before) is answered with the original\u2019s card, nothing revoked', async () => {
    await start();
    const original = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await extendApproved(original.id, '--for 1h release still running');
    const extension = (await h.app.store.get(extensionId))!;
    // As an older acrbot drew it: the extension's id and its version.
    const res = await h.click(users.requester, 'revokeConfirm', {
      requestId: extensionId,
      version: extension.version,
      reason: 'done early',
    });
    expect(textOf(res.body?.value)).toContain('This changed since the card was drawn; review again.');
    expect(textOf(res.body?.value)).toContain(`Revoke ${original.id}?`);
    expect(await stateOnceClickWorkDone(original.id)).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });

  test('a secret: the original and the extension end, secret and current token gone, nothing left "active"', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
    const card = await confirmationFor(users.requester, `revoke ${extensionId} leaked in a log`);
    expect(textOf(card)).toContain(`Revoke ${id}?`);
    await clickRevoke(users.requester, card);
    expect(await stateOnceClickWorkDone(id)).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([]);
  });

  test('who may is decided on the original: an outsider is refused (audited on the original); an approver may', async () => {
    await start();
    const original = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await extendApproved(original.id, '--for 1h release still running');
    const refused = await h.click(users.outsider, 'revokeConfirm', { requestId: extensionId, reason: 'not mine' });
    expect(textOf(refused.body?.value)).toContain(`Only the requester of ${original.id}`);
    expect(await actions(original.id)).toContain('revoke.refused:revoke.notAllowed');
    expect((await h.app.store.get(original.id))!.state).toBe('succeeded');
    const card = await confirmationFor(users.approver, `revoke ${extensionId} incident 42`);
    await clickRevoke(users.approver, card);
    expect(await stateOnceClickWorkDone(original.id)).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test("the tab: a revoke of the extension's row revokes the original with it", async () => {
    await start();
    const original = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await extendApproved(original.id, '--for 1h release still running');
    // Valid at the test clock's time, which the tab checks tokens against.
    const at = Math.floor(now.getTime() / 1000);
    const token = await h.app.sandbox!.identity.issue({
      user: 'requester',
      audience: `api://localhost/${SANDBOX_TAB_APP_ID}`,
      claims: { iat: at, nbf: at, exp: at + 3600 },
    });
    const res = await tabCall(h.app.url, `/api/tab/requests/${extensionId}/revoke`, token, { reason: 'done early' });
    expect(res.status).toBe(200);
    expect(res.body.message).toContain(`Revoked ${original.id} (which ${extensionId} extends)`);
    expect((await h.app.store.get(original.id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });
});

describe('a revoke card clicked after what it listed changed revokes nothing and shows the new list', () => {
  useLifecycleHooks();

  test('"Keep … still used by" another grant that ended since: the click answers with "Delete", and that card revokes', async () => {
    await start();
    const mine = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const other = await grant(second, 'aks-prod contosoacr --for 2m second team deploys');
    const card = await confirmationFor(users.requester, `revoke ${mine.id} done early`);
    expect(textOf(card)).toContain(`still used by ${other.id}`);
    // The other grant ends: the assignment would now be deleted, which the card did not say.
    advance(3 * MINUTE);
    await h.app.scheduler.runDue();
    expect(await stateOnceClickWorkDone(other.id)).toBe('revoked');

    const fresh = await clickRevoke(users.requester, card);
    expect(textOf(fresh)).toContain('This changed since the card was drawn; review again.');
    expect(textOf(fresh)).toContain('Delete role assignment AcrPull');
    expect(await stateOnceClickWorkDone(mine.id)).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);

    expect(textOf(await clickRevoke(users.requester, fresh))).toContain(`Revoking ${mine.id}`);
    expect(await stateOnceClickWorkDone(mine.id)).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('an extension approved since the card was drawn: the click shows it, nothing revoked', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const card = await confirmationFor(users.requester, `revoke ${id} leaked in a log`);
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    const fresh = await clickRevoke(users.requester, card);
    expect(textOf(fresh)).toContain('This changed since the card was drawn; review again.');
    expect(textOf(fresh)).toContain(`Delete extension ${extensionId}`);
    expect(await stateOnceClickWorkDone(id)).toBe('succeeded');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
  });

  test("a pair's card: a grant made on the pair since is shown on the new card, nothing revoked until it is clicked", async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const card = await confirmationFor(users.approver, 'revoke aks-prod contosoacr incident 42');
    expect(textOf(card)).toContain('Revoke 1 acrbot request of aks-prod on contosoacr?');
    const later = await grant(second, 'aks-prod contosoacr --for 30d second team deploys');
    // The card's one request, but its preview changed: the assignment is now kept for `later`.
    const fresh = await clickRevoke(users.approver, card);
    expect(textOf(fresh)).toContain('This changed since the card was drawn; review again.');
    expect(await stateOnceClickWorkDone(first.id)).toBe('succeeded');

    // Drawn again as a pair card with both; the new card's click revokes both.
    const pair = await confirmationFor(users.approver, 'revoke aks-prod contosoacr incident 42');
    expect(textOf(pair)).toContain('Revoke 2 acrbot requests');
    const third = await grant(megan, 'aks-prod contosoacr --for 30d third team deploys');
    const redrawn = await clickRevoke(users.approver, pair);
    expect(textOf(redrawn)).toContain('This changed since the card was drawn; review again.');
    expect(textOf(redrawn)).toContain('Revoke 3 acrbot requests');
    expect(await stateOnceClickWorkDone(first.id)).toBe('succeeded');
    expect(await stateOnceClickWorkDone(later.id)).toBe('succeeded');

    await clickRevoke(users.approver, redrawn);
    for (const r of [first, later, third]) expect(await stateOnceClickWorkDone(r.id)).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test("a pair's card: a pull secret approved on the pair since, which changes none of the listed previews, is shown; nothing revoked", async () => {
    await start();
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    const first = await grant(users.requester, 'aks-dev contosoacr --for 30d nightly test pulls');
    const later = await grant(second, 'aks-dev contosoacr --for 30d second team tests');
    // Another requester's pull secret on the same pair: it holds no role assignment, so neither
    // listed grant's steps change; only reading the pair again finds it.
    const { redrawn, secretId } = await pairCardClickedAfterASecret('2 acrbot requests', '3 acrbot requests');
    expect(revokeButton(redrawn).requestId).toContain(secretId);
    for (const r of [first.id, later.id, secretId]) expect(await stateOnceClickWorkDone(r)).toBe('succeeded');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();

    expect(textOf(await clickRevoke(users.approver, redrawn))).toContain('Revoking');
    for (const r of [first.id, later.id, secretId]) expect(await stateOnceClickWorkDone(r)).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
  });

  test("a pair's card that lists one request: a pull secret approved on the pair since is shown too; nothing revoked", async () => {
    await start();
    const only = await grant(users.requester, 'aks-dev contosoacr --for 30d nightly test pulls');
    const { secretId } = await pairCardClickedAfterASecret('1 acrbot request', '2 acrbot requests');
    for (const r of [only.id, secretId]) expect(await stateOnceClickWorkDone(r)).toBe('succeeded');
  });
});
