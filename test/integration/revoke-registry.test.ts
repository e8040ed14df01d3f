/**
 * `revoke registry NAME [REASON…]` (approvers), through the real server and the sandbox: one card
 * for every active acrbot request on a registry from every cluster of the asker's tenant; its
 * click revokes each through one request's revocation path (audited, requesters told, the
 * reason kept), and reads the registry again first: a request started since, or a forged card
 * mixing registries, redraws the card and revokes nothing. Another tenant's requests are counted,
 * not named. Its wrong forms (`revoke cluster NAME`, no name, no such registry, a non-approver)
 * are answered and audited as the pair revoke's are.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GrantPlan } from '../../src/domain/plan';
import type { AuditEntry } from '../../src/domain/audit-chain';
import { SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { LEGACY_RULE_POLICY, sam } from '../helpers/legacy-rule-policy';
import type { TeamsUser } from '../helpers/teams-activities';
import { OTHER_TENANT } from '../helpers/tenant-b';

const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;
/** The answer to `revoke cluster aks-prod …`. */
const CLUSTER_FORM =
  '"revoke cluster" is not a form of revoke: acrbot revokes per registry. Use "@acrbot revoke aks-prod REGISTRY REASON…"';
const NOT_APPROVER = 'Only approvers may revoke every grant on a registry';
const LIFECYCLE = { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' };

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

async function grant(user: TeamsUser, args: string) {
  const request = await h.requestGrant(user, args);
  await h.click(users.approver, 'approve', { requestId: request.id });
  const done = await h.settle(request.id);
  expect(done.state).toBe('succeeded');
  return done;
}

/** The confirmation card (its content) the approver gets for `command`. */
async function confirmationFor(command: string): Promise<any> {
  h.connector.clear();
  await h.say(users.approver, command);
  const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
  return sent.activity.attachments![0]!.content;
}

const textOf = (card: any) => cardText({ attachments: [{ content: card }] });

/** Clicks the card's Revoke button as the approver, with the data it carries; the answer's card. */
async function clickRevoke(card: any, data: Record<string, unknown> = card.actions[0].data): Promise<any> {
  return (await h.click(users.approver, 'revokeConfirm', data)).body?.value;
}

async function stateOf(id: string): Promise<string> {
  await h.app.services.background.drain();
  return (await h.app.store.get(id))!.state;
}

async function lastSeq(): Promise<number> {
  return (await h.app.audit.latest(1))[0]?.seq ?? 0;
}

/** The entries `user` caused after `seq`, as [action, outcome]. */
async function entriesAfter(user: TeamsUser, seq: number): Promise<Array<[string, string | undefined]>> {
  return (await h.app.audit.latest(100))
    .filter((e: AuditEntry) => e.seq > seq && e.actor.objectId === user.objectId)
    .map((e) => [e.action, e.outcome]);
}

describe('revoke registry NAME', () => {
  test('two clusters on one registry: one card lists both (and a pending one, left); the click revokes both as one request’s revoke does', async () => {
    h = await startHarness(LIFECYCLE);
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const legacy = await grant(second, 'aks-legacy contosoacr --for 30d nightly batch pulls');
    const pending = await h.requestGrant(second, 'aks-dev contosoacr --for 30d dev pulls for payments');

    const card = await confirmationFor('revoke registry contosoacr suspected credential leak');
    const text = textOf(card);
    expect(text).toContain('Revoke 2 acrbot requests on contosoacr, from 2 clusters?');
    expect(text).toContain('Every active acrbot request on this registry, from every cluster, ends now');
    expect(text).toContain('(reason: "suspected credential leak")');
    expect(text).toContain(`${prod.id} on aks-prod (${users.requester.name}): delete role assignment`);
    expect(text).toContain(`${legacy.id} on aks-legacy (Sam Second): delete role assignment`);
    expect(text).toContain(`Not revoked, not run yet: ${pending.id} (Sam Second, waiting for approval).`);
    expect(new Set(card.actions[0].data.requestId.split(','))).toEqual(new Set([prod.id, legacy.id]));

    const assignments = h.app.sandbox!.arm.state.roleAssignments;
    const names = [prod, legacy].map((r) => (r.plan as GrantPlan).roleAssignmentName);
    expect(names.map((n) => assignments.get(n) !== undefined)).toEqual([true, true]);
    const answer = await clickRevoke(card);
    expect(textOf(answer)).toMatch(/Revoking R-\w{8}, R-\w{8}/);
    for (const id of [prod.id, legacy.id]) {
      expect(await stateOf(id)).toBe('revoked');
      const done = (await h.app.store.get(id))!;
      expect(done.access?.revokedBy?.objectId).toBe(users.approver.objectId);
      expect(done.access?.revokeReason).toBe('suspected credential leak');
      expect((await h.app.audit.forRequest(id)).map((e) => e.action)).toEqual(
        expect.arrayContaining(['access.revoke.requested', 'access.revoked']),
      );
    }
    expect(await stateOf(pending.id)).toBe('pending');
    // Azure's side: both clusters' role assignments are gone.
    expect(names.map((n) => assignments.get(n) !== undefined)).toEqual([false, false]);
    // Each requester is told, as for one request's revoke.
    for (const who of [users.requester, second])
      await h.connector.waitFor(
        (c) =>
          c.op !== 'update' &&
          cardText(c.activity).includes(`${users.approver.name} revoked your access`) &&
          cardText(c.activity).includes(who === second ? legacy.id : prod.id),
        5000,
        `${who.name} told`,
      );
  });

  test('a request started between the card and the click: the card is redrawn, nothing revoked; the new card’s click revokes both', async () => {
    h = await startHarness(LIFECYCLE);
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const card = await confirmationFor('revoke registry contosoacr incident 42');
    expect(textOf(card)).toContain('Revoke 1 acrbot request on contosoacr, from 1 cluster?');
    const legacy = await grant(second, 'aks-legacy contosoacr --for 30d nightly batch pulls');

    const redrawn = await clickRevoke(card);
    expect(textOf(redrawn)).toContain('This changed since the card was drawn; review again. Nothing was revoked yet.');
    expect(textOf(redrawn)).toContain('Revoke 2 acrbot requests on contosoacr, from 2 clusters?');
    expect(await stateOf(prod.id)).toBe('succeeded');

    expect(textOf(await clickRevoke(redrawn))).toContain('Revoking');
    expect(await stateOf(prod.id)).toBe('revoked');
    expect(await stateOf(legacy.id)).toBe('revoked');
  });

  test('a forged card mixing registries (a genuine fingerprint, another registry’s id added) is redrawn, nothing revoked', async () => {
    h = await startHarness(LIFECYCLE);
    const onContoso = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const onAbac = await grant(users.requester, 'aks-prod contosoabac --for 30d deploy payments-api');
    const card = await confirmationFor('revoke registry contosoacr incident 42');
    const data = card.actions[0].data;
    expect(data.requestId).toBe(onContoso.id);

    const redrawn = await clickRevoke(card, { ...data, requestId: `${onContoso.id},${onAbac.id}` });
    expect(textOf(redrawn)).toContain('This changed since the card was drawn');
    expect(textOf(redrawn)).toContain('Revoke 1 acrbot request on contosoacr, from 1 cluster?');
    expect(await stateOf(onContoso.id)).toBe('succeeded');
    expect(await stateOf(onAbac.id)).toBe('succeeded');
  });

  test('wrong forms: answered, audited as validation failures or a refused revoke, nothing changed', async () => {
    h = await startHarness(LIFECYCLE);
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const failed = (code: string): Array<[string, string]> => [['validation.failed', code]];
    const approver = users.approver;
    const cases: Array<[TeamsUser, string, string, Array<[string, string]>]> = [
      [approver, 'revoke cluster aks-prod suspected leak', CLUSTER_FORM, failed('validation.usage')],
      [
        approver,
        'revoke registry',
        'Say which registry: "revoke registry REGISTRY REASON…" (the reason optional)',
        failed('validation.usage'),
      ],
      [approver, 'revoke registry contoso-acr incident 42', 'contoso-acr', failed('validation.name')],
      // The resolver's own answer, unaudited as for a pair's cluster that is not found.
      [approver, 'revoke registry nosuchacr incident 42', 'No registry named nosuchacr was found', []],
      [approver, 'revoke registry contosoacr leak', 'at least 8 characters', failed('validation.reason')],
      [
        users.requester,
        'revoke registry contosoacr incident 42',
        NOT_APPROVER,
        [['revoke.refused', 'revoke.notApprover']],
      ],
    ];
    for (const [user, text, said, entries] of cases) {
      const seq = await lastSeq();
      const reply = await h.ask(user, text);
      expect(reply).toContain(said);
      expect(reply).not.toContain('No cluster named');
      expect(await entriesAfter(user, seq)).toEqual(entries);
    }
    // A registry typed as the cluster is told the registry form too.
    expect(await h.ask(users.approver, 'revoke contosoacr credential leak')).toContain(
      '"@acrbot revoke registry contosoacr REASON…" for all of its clusters at once',
    );
    expect(await stateOf(prod.id)).toBe('succeeded');
  });
});

describe("revoke registry NAME with another tenant's requests on it", () => {
  test('counted, not named, not revoked', async () => {
    h = await startHarness({ ...LIFECYCLE, ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` });
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.app.store.create({ ...prod, id: 'R-TENANTB3', tenantId: OTHER_TENANT, reason: 'TENANT-B SECRET PROJECT' });

    const card = await confirmationFor('revoke registry contosoacr incident 42');
    const text = textOf(card);
    expect(text).toContain('Revoke 1 acrbot request on contosoacr, from 1 cluster?');
    expect(text).toContain(
      '1 more active acrbot request on it is of another organisation (tenant): not listed, and not revoked from here.',
    );
    expect(text).not.toMatch(/R-TENANTB3|TENANT-B/);
    expect(card.actions[0].data.requestId).toBe(prod.id);
    await clickRevoke(card);
    expect(await stateOf(prod.id)).toBe('revoked');
    expect(await stateOf('R-TENANTB3')).toBe('succeeded');
  });
});

describe('revoke registry NAME by an approver of one rule only', () => {
  // aks-legacy's requests are Sam's to approve (rule legacy), every other the approver's (default).
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-revoke-registry-'));
    writeFileSync(join(dir, 'policy.yaml'), LEGACY_RULE_POLICY);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the other rule's request is left out and its rule named, its requester not; the click leaves it", async () => {
    h = await startHarness({ ...LIFECYCLE, ACRBOT_POLICY: join(dir, 'policy.yaml') });
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const legacyAsked = await h.requestGrant(second, 'aks-legacy contosoacr --for 30d nightly batch pulls');
    await h.click(sam, 'approve', { requestId: legacyAsked.id });
    expect((await h.settle(legacyAsked.id)).state).toBe('succeeded');

    const card = await confirmationFor('revoke registry contosoacr incident 42 credential leak');
    const text = textOf(card);
    expect(text).toContain('Revoke 1 acrbot request on contosoacr, from 1 cluster?');
    expect(text).toContain(
      'The active acrbot request below, which you may revoke, ends now (reason: "incident 42 credential leak"). It is on aks-prod (1).',
    );
    expect(text).toContain('1 more is under rule legacy, whose approvers (or the requester) can revoke it.');
    expect(text).not.toContain(legacyAsked.id);
    expect(text).not.toContain('Sam Second');
    expect(card.actions[0].data.requestId).toBe(prod.id);
    await clickRevoke(card);
    expect(await stateOf(prod.id)).toBe('revoked');
    expect(await stateOf(legacyAsked.id)).toBe('succeeded');
  });

  test('nothing of theirs: "Nothing you may revoke", naming the requests not run yet, for a registry and for a pair', async () => {
    h = await startHarness({ ...LIFECYCLE, ACRBOT_POLICY: join(dir, 'policy.yaml') });
    const legacyAsked = await h.requestGrant(second, 'aks-legacy contosoacr --for 30d nightly batch pulls');
    await h.click(sam, 'approve', { requestId: legacyAsked.id });
    expect((await h.settle(legacyAsked.id)).state).toBe('succeeded');
    const pending = await h.requestGrant(users.requester, 'aks-legacy contosoacr --for 30d more batch pulls');

    for (const command of ['revoke registry contosoacr incident 42', 'revoke aks-legacy contosoacr incident 42']) {
      const reply = await h.ask(users.approver, command);
      expect(reply).toContain('Nothing you may revoke');
      expect(reply).toContain(
        'under rule legacy, whose approvers (or the requester) can revoke it; nothing was changed.',
      );
      expect(reply).toContain(
        `Not revoked, not run yet: ${pending.id} (${users.requester.name}, waiting for approval).`,
      );
      expect(reply).not.toContain('Sam Second');
    }
    expect(await stateOf(legacyAsked.id)).toBe('succeeded');
  });
});

describe('revoke registry NAME while some of its requests are being revoked already', () => {
  test('a revoke retrying (ARM refusing its DELETE): said as being revoked, not as another rule’s; a new request is carded beside them', async () => {
    h = await startHarness(LIFECYCLE);
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const legacy = await grant(second, 'aks-legacy contosoacr --for 30d nightly batch pulls');
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 403, count: 1000 });
    await clickRevoke(await confirmationFor('revoke registry contosoacr incident 42'));
    expect(await stateOf(prod.id)).toBe('succeeded');
    for (const id of [prod.id, legacy.id]) expect((await h.app.store.get(id))!.access?.revokingSince).toBeDefined();

    const registry = await h.ask(users.approver, 'revoke registry contosoacr incident 42');
    expect(registry).toContain('Nothing you may revoke');
    expect(registry).toContain('The active acrbot requests on contosoacr are being revoked already (since ');
    expect(registry).toContain(
      'acrbot retries the step that failed until it is done, and their cards then say "Revoked"',
    );
    expect(registry).not.toContain('under rule');
    const pair = await h.ask(users.approver, 'revoke aks-prod contosoacr incident 42');
    expect(pair).toContain('The active acrbot request on aks-prod → contosoacr is being revoked already (since ');
    expect(pair).not.toContain('under rule');

    const dev = await grant(users.requester, 'aks-dev contosoacr --for 30d dev pulls for payments');
    const text = textOf(await confirmationFor('revoke registry contosoacr incident 42'));
    expect(text).toContain('Revoke 1 acrbot request on contosoacr, from 1 cluster?');
    expect(text).toContain('\n2 more are being revoked already (since ');
    expect(text).not.toContain('under rule');
    expect(text).toContain(dev.id);
  });

  test('a revoke asked for by another approver and not run yet: the click skips it, saying so; the first revoker’s who and why stay', async () => {
    h = await startHarness(LIFECYCLE);
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const card = await confirmationFor('revoke registry contosoacr incident 42');
    // Another approver's click, stored (its job due now with who and why) but not run yet.
    await h.app.services.lifecycle.flow.scheduleRevoke(
      prod,
      { objectId: sam.objectId, name: sam.name },
      'first revoker reason',
    );

    const seq = await lastSeq();
    const answer = textOf(await clickRevoke(card));
    expect(answer).toContain('Nothing was revoked');
    expect(answer).toContain(`${prod.id}: Request ${prod.id} is already being revoked (asked for by ${sam.name})`);
    expect(await entriesAfter(users.approver, seq)).toEqual([['revoke.refused', 'revoke.running']]);
    expect((await h.app.scheduler.get(`access.expire:${prod.id}`))?.payload).toEqual({
      by: { objectId: sam.objectId, name: sam.name },
      reason: 'first revoker reason',
    });
  });
});
