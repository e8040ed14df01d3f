/**
 * One requester cannot have two requests waiting for approval for one target: their cards read
 * alike (the same title, only the access and reason rows differ), so an approver asked to approve
 * "my 1-hour grant" could approve its permanent twin. The second is refused naming the first and
 * how to withdraw it, audited once per window like the other per-user limits (G16, G11), and
 * nothing is stored; two sent at once both pass the handler's look, and the create's second look
 * keeps one. Another target and a break-glass grant are not
 * twins (a pending extension is not either: test/unit/request-gate-twins.test.ts).
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import type { AuditEntry } from '../../src/domain/audit-chain';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';
import { FakeClock } from '../unit/support/fake-clock';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

/** The requester's `request.refused.duplicate` entries. */
async function twinRefusals(h: Harness, user: TeamsUser = users.requester): Promise<AuditEntry[]> {
  return (await h.app.audit.latest(200)).filter(
    (e) => e.action === 'request.refused.duplicate' && e.actor.objectId === user.objectId,
  );
}

describe('a second pending request for one target', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  test('a grant on the same cluster and registry (by name or resource group) is refused, naming the first; audited once', async () => {
    // Held still: both refusals fall in one window of the limit.
    h = await startHarness({}, { clock: new FakeClock('2026-11-30T12:00:05.000Z') });
    const first = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1h hotfix payments-api today');

    const reply = await h.turnReplies(users.requester, 'grant aks-prod contosoacr --for 30d hotfix payments-api today');
    expect(reply).toContain('Already waiting for approval');
    expect(reply).toContain(`You already have ${first.id} waiting for approval for aks-prod → contosoacr`);
    expect(reply).toContain('1 hour from when it is granted');
    expect(reply).toContain(`@acrbot cancel ${first.id}`);
    expect(reply).toContain('Nothing was requested.');
    // The same cluster by its resource group: one target, refused too.
    expect(await h.turnReplies(users.requester, 'grant rg-aks/aks-prod contosoacr second try')).toContain(
      `You already have ${first.id} waiting for approval`,
    );

    const pending = await h.app.store.listByRequester(users.requester.objectId, ['pending']);
    expect(pending.map((r) => r.id)).toEqual([first.id]);
    const audited = await twinRefusals(h);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'refused' });
    expect(audited[0].detail).toContain(first.id);

    // Another target is no twin; someone else's request for the same target is not either.
    await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    await h.requestGrant(users.outsider, 'aks-prod contosoacr someone else asks too');

    // Once the first is withdrawn, the target may be asked for again.
    await h.turnReplies(users.requester, `cancel ${first.id}`);
    expect((await h.app.store.get(first.id))!.state).toBe('cancelled');
    await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d hotfix payments-api today');
  });

  test('a pull secret of the same name in the same namespace is refused; another name is not', async () => {
    h = await startHarness({}, { clock: new FakeClock('2026-11-30T12:00:05.000Z') });
    const first = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments pull for payments-api',
    );
    const reply = await h.turnReplies(
      users.requester,
      'secret aks-dev contosoacr --namespace payments --for 30d pull for payments-api',
    );
    expect(reply).toContain(
      `You already have ${first.id} waiting for approval for pull secret payments/acr-auth in aks-dev`,
    );
    expect(reply).toContain('Nothing was requested.');
    await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments --name acr-other pull for batch');
    expect(await h.app.store.listByRequester(users.requester.objectId, ['pending'])).toHaveLength(2);
    expect(await twinRefusals(h)).toHaveLength(1);
  });

  test('two identical grants sent at once, both past the first look: one waits, the other is refused naming it', async () => {
    h = await startHarness({}, { clock: new FakeClock('2026-11-30T12:00:05.000Z') });
    // The handler's first look held until both turns are in it, so neither sees the other's
    // request there: only the create's second look (refuseTwins) can keep them apart.
    const gate = h.app.services.gate;
    const look = gate.twinRefusal.bind(gate);
    const held: (() => void)[] = [];
    gate.twinRefusal = async (actor, plan) => {
      await new Promise<void>((resolve) => {
        held.push(resolve);
        if (held.length === 2) for (const release of held) release();
      });
      return look(actor, plan);
    };
    const before = h.connector.calls.length;
    const text = 'grant aks-prod contosoacr --for 1h hotfix payments-api today';
    const answers = await Promise.all([h.say(users.requester, text), h.say(users.requester, text)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(held).toHaveLength(2);

    const pending = await h.app.store.listByRequester(users.requester.objectId, ['pending']);
    expect(pending).toHaveLength(1);
    const replies = h.connector.calls.slice(before).map((c) => cardText(c.activity));
    const refusals = replies.filter((r) => r.includes('Already waiting for approval'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain(`You already have ${pending[0].id} waiting for approval for aks-prod → contosoacr`);
    expect(refusals[0]).toContain('Nothing was requested.');
    const audited = await twinRefusals(h);
    expect(audited).toHaveLength(1);
    expect(audited[0].detail).toContain(pending[0].id);
  });

  test('a break-glass grant is not refused by a pending grant of the same target: it never waits for approval', async () => {
    const olive = SANDBOX_USERS.oncall as TeamsUser;
    const policyFile = writePolicyFile(tempDirs.make('acrbot-twins-'), breakGlassPolicyYaml());
    h = await startHarness({ ACRBOT_POLICY: policyFile });
    const waiting = await h.requestGrant(olive, 'aks-prod contosoacr deploy payments-api');
    const bg = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect(bg.id).not.toBe(waiting.id);
    expect((await h.settle(bg.id)).state).toBe('succeeded');
    expect(await twinRefusals(h, olive)).toHaveLength(0);
  });
});
