/**
 * `revoke CLUSTER REGISTRY` typed in a wrong form (a registry first) is
 * answered with the form revoke takes and the `access` command that lists the registry's
 * clusters, before its reason is judged, audited as validation.failed and changing nothing; and a
 * pair revoke names the pair's requests that have not run yet, which it leaves (a pending one for
 * an approver to reject or its requester to cancel; an approved or being-granted one to revoke by
 * its id once it has run), in its "Nothing to revoke" answer and in its confirmation card; not an
 * extension of a grant it ends (that ends with it), and not at all when they cannot be read.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;
const third: TeamsUser = {
  objectId: '0a000000-0000-4000-8000-00000000eee5',
  name: 'Tess Third',
  teamsId: '29:tess-third',
};

let h: Harness;
afterEach(async () => {
  jest.restoreAllMocks();
  await h?.stop();
});

/** The entries `user` caused after `seq`, as [action, outcome]. */
async function entriesAfter(user: TeamsUser, seq: number): Promise<Array<[string, string | undefined]>> {
  return (await h.app.audit.latest(100))
    .filter((e: AuditEntry) => e.seq > seq && e.actor.objectId === user.objectId)
    .map((e) => [e.action, e.outcome]);
}

async function lastSeq(): Promise<number> {
  return (await h.app.audit.latest(1))[0]?.seq ?? 0;
}

describe('revoke in a wrong form', () => {
  beforeEach(async () => {
    h = await startHarness({ ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' });
  });

  test.each([
    ['revoke contosoacr credential leak', 'contosoacr is a registry, not a cluster'],
    ['revoke contosoacr suspected credential leak at 03:00', 'contosoacr is a registry, not a cluster'],
    ['revoke contosoacr suspected-leak', 'contosoacr is a registry, not a cluster'],
  ])('%j: the form revoke takes and the access command, audited, nothing changed', async (text, said) => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    expect((await h.settle(granted.id)).state).toBe('succeeded');
    const seq = await lastSeq();

    const reply = await h.ask(users.approver, text);
    expect(reply).toContain(said);
    expect(reply).toContain('"@acrbot revoke CLUSTER REGISTRY REASON…" per pair');
    expect(reply).toContain('("@acrbot access contosoacr" lists its clusters), or "@acrbot revoke REQUEST-ID"');
    expect(reply).not.toMatch(/at least 8 characters|No cluster named|not a valid registry/);
    expect(await entriesAfter(users.approver, seq)).toEqual([['validation.failed', 'validation.usage']]);
    expect((await h.app.store.get(granted.id))!.state).toBe('succeeded');
  });

  test('revoke alone: the forms as README writes them, nothing bracketed (a pasted bracket is refused)', async () => {
    const reply = await h.ask(users.requester, 'revoke');
    expect(reply).toContain(
      'Say what to revoke: "revoke REQUEST-ID REASON…", or (approvers) "revoke CLUSTER REGISTRY REASON…" or "revoke registry REGISTRY REASON…" (the reason optional).',
    );
    expect(reply).not.toMatch(/\[/);
  });

  test('a first name that is neither a cluster nor a registry: no cluster of that name, as before', async () => {
    const reply = await h.ask(users.approver, 'revoke nosuchthing contosoacr incident 42 at night');
    expect(reply).toContain('No cluster named nosuchthing was found');
  });

  test('a cluster that resolves: the registry is looked up once, and a short reason is still refused', async () => {
    const resolveRegistry = jest.spyOn(h.app.services.lifecycle.resolver, 'resolveRegistry');
    const seq = await lastSeq();
    const reply = await h.ask(users.approver, 'revoke aks-prod contosoacr leak');
    expect(reply).toContain('at least 8 characters');
    expect(resolveRegistry).toHaveBeenCalledTimes(1);
    expect(await entriesAfter(users.approver, seq)).toEqual([['validation.failed', 'validation.reason']]);
  });
});

describe('revoke CLUSTER REGISTRY and the requests on the pair not run yet', () => {
  beforeEach(async () => {
    h = await startHarness({ ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' });
  });

  test('no active grant, one pending request: named with its requester and how to reject it, left pending', async () => {
    const pending = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const reply = await h.ask(users.approver, 'revoke aks-prod contosoacr incident 42 credential leak');
    expect(reply).toContain('Nothing to revoke');
    expect(reply).toContain(`Not revoked, not run yet: ${pending.id} (${users.requester.name}, waiting for approval).`);
    expect(reply).toContain(
      `Reject a pending one ("@acrbot pending ${pending.id}" offers Reject) or ask its requester to cancel it.`,
    );
    expect(reply).not.toContain('revoke an approved one');
    expect((await h.app.store.get(pending.id))!.state).toBe('pending');
  });

  test('an active grant and a pending request: the confirmation card names the pending one; the click leaves it', async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    expect((await h.settle(granted.id)).state).toBe('succeeded');
    const pending = await h.requestGrant(second, 'aks-prod contosoacr --for 30d second team deploys');

    const card = await h.ask(users.approver, 'revoke aks-prod contosoacr incident 42 credential leak');
    expect(card).toContain('Revoke 1 acrbot request of aks-prod on contosoacr?');
    expect(card).toContain(`${pending.id} (Sam Second, waiting for approval).`);
    expect(card).toContain('Reject a pending one');

    await h.click(users.approver, 'revokeConfirm', { requestId: granted.id, reason: 'incident 42 credential leak' });
    await h.app.services.background.drain();
    expect((await h.app.store.get(granted.id))!.state).toBe('revoked');
    expect((await h.app.store.get(pending.id))!.state).toBe('pending');
  });

  test('an approved request not run yet is named as such', async () => {
    const pending = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.app.store.update({ ...pending, state: 'approved', version: pending.version + 1 });
    const reply = await h.ask(users.approver, 'revoke aks-prod contosoacr incident 42 credential leak');
    expect(reply).toContain(`${pending.id} (${users.requester.name}, approved, not run yet)`);
    expect(reply).toContain(`Revoke an approved one with "@acrbot revoke ${pending.id}" once it has run.`);
  });

  test('a request being granted now (executing) is named, with how to revoke it once it has run', async () => {
    const pending = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.app.store.update({ ...pending, state: 'executing', version: pending.version + 1 });
    const reply = await h.ask(users.approver, 'revoke aks-prod contosoacr incident 42 credential leak');
    expect(reply).toContain(`Not revoked, not run yet: ${pending.id} (${users.requester.name}, being granted now).`);
    expect(reply).toContain(`Revoke one being granted now with "@acrbot revoke ${pending.id}" once it has run.`);
    expect(reply).not.toContain('Reject a pending one');
  });

  test('an extension of the grant revoked is not named; one of a request the revoke does not end is', async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    expect((await h.settle(granted.id)).state).toBe('succeeded');
    // Two requests waiting on the pair, marked as extensions: of the grant this revoke ends, and
    // of a request it does not end (an ended one; the revoke leaves whatever extends it).
    const ofRevoked = await h.requestGrant(third, 'aks-prod contosoacr --for 30d extend the deploys');
    await h.app.store.update({ ...ofRevoked, extendsRequestId: granted.id, version: ofRevoked.version + 1 });
    const ofLeft = await h.requestGrant(second, 'aks-prod contosoacr --for 30d second team deploys');
    await h.app.store.update({ ...ofLeft, extendsRequestId: 'R-ENDEDXXX', version: ofLeft.version + 1 });

    const card = await h.ask(users.approver, 'revoke aks-prod contosoacr incident 42 credential leak');
    expect(card).toContain('Revoke 1 acrbot request of aks-prod on contosoacr?');
    expect(card).toContain(`Not revoked, not run yet: ${ofLeft.id} (Sam Second, waiting for approval).`);
    expect(card).not.toContain(ofRevoked.id);
  });

  test('the requests not run yet cannot be read: the card is still shown, without them, and the failure logged', async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    expect((await h.settle(granted.id)).state).toBe('succeeded');
    await h.requestGrant(second, 'aks-prod contosoacr --for 30d second team deploys');
    const failure = new Error('store unavailable');
    jest.spyOn(h.app.services.lifecycle.flow, 'waitingOn').mockRejectedValue(failure);
    const warn = jest.spyOn(h.app.services.log, 'warn');

    const card = await h.ask(users.approver, 'revoke aks-prod contosoacr incident 42 credential leak');
    expect(card).toContain('Revoke 1 acrbot request of aks-prod on contosoacr?');
    expect(card).not.toContain('Not revoked, not run yet');
    const logged = warn.mock.calls.filter(([, msg]) => String(msg).includes('requests not run yet could not be read'));
    expect(logged).toEqual([
      [{ err: failure }, "revoke: the pair's requests not run yet could not be read to name them"],
    ]);
  });
});
