/**
 * G17: a secret's credential expiry is a date fixed when the request is planned (and shown to the
 * approver). With a short lifetime (ACRBOT_SECRET_MAX_EXPIRY as low as 1h) and an approval that
 * comes later than that, the run must not create a credential that has already expired: it
 * refuses, audited, before anything exists in Azure or the cluster. The real app over the
 * sandbox, its clock moved past the planned expiry between the request and the approval.
 */
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { MIN_CREDENTIAL_REMAINING_MS } from '../../src/flows/secret-run-checks';
import { FakeClock, HOUR, MINUTE } from '../unit/support/fake-clock';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('a secret approved after its credential would have expired', () => {
  let h: Harness;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock(new Date());
    h = await startHarness({ ACRBOT_SECRET_MAX_EXPIRY: '1h' }, { clock });
  });
  afterEach(() => h.stop());

  test.each(['token', 'sp'] as const)(
    '--kind %s: refused before any credential or secret exists, and the card says why',
    async (kind) => {
      const request = await h.requestSecret(
        users.requester,
        `aks-dev contosoacr --kind ${kind} --namespace payments approved too late`,
      );
      const plan = request.plan as Extract<typeof request.plan, { kind: 'secret' }>;
      expect(Date.parse(plan.expiresAt)).toBeLessThanOrEqual(clock.now().getTime() + HOUR);
      const graphCalls = h.app.sandbox!.graph.requests.length;
      // From the approval on: planning read the cluster's credentials (a POST) to check its namespace.
      const armCalls = h.app.sandbox!.arm.requests.length;
      // The approver answers two hours later.
      clock.advance(2 * HOUR);
      await h.click(users.approver, 'approve', { requestId: request.id });
      const done = await h.settle(request.id);

      expect(done.state).toBe('failed');
      expect(done.outcome?.errorCode).toBe('secret.credentialLapsed');
      expect(done.outcome?.error).toMatch(/planned to expire at .* which has passed/);
      expect(done.outcome?.error).toMatch(/created nothing/);
      expect(done.outcome?.cleanup ?? 'none').toBe('none');
      // Nothing in Azure, Graph or the cluster.
      const writes = h.app.sandbox!.arm.requests.slice(armCalls).filter((r) => r.method !== 'GET');
      expect(writes).toEqual([]);
      expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
      expect(h.app.sandbox!.graph.requests.slice(graphCalls).filter((r) => r.method !== 'GET')).toEqual([]);
      expect(h.app.sandbox!.kubernetes['aks-dev'].getObject('secrets', 'payments', plan.secretName)).toBeUndefined();
      const audit = await h.app.audit.forRequest(request.id);
      expect(audit).toContainEqual(
        expect.objectContaining({
          action: kind === 'token' ? 'azure.write.token' : 'graph.write.application',
          outcome: 'refused',
        }),
      );
      const card = await h.connector.waitFor(
        (c) => /The request failed/.test(cardText(c.activity)),
        5000,
        'failure card',
      );
      expect(cardText(card.activity)).toMatch(/approval came too late/);
    },
  );

  test('approved while more than the margin is left: the credential is made with the planned expiry', async () => {
    const request = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments approved in time');
    const plan = request.plan as Extract<typeof request.plan, { kind: 'secret' }>;
    clock.advance(30 * MINUTE);
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    const [token] = h.app.sandbox!.arm.state.listTokens(contosoId);
    expect(token.passwords.map((p) => p.expiry)).toEqual([plan.expiresAt]);
  });
});

describe('a credential planned to live less than twice the margin', () => {
  let h: Harness;
  afterEach(() => h.stop());

  test('approved at once it is made (held to half its planned life, not to the 10-minute margin)', async () => {
    const clock = new FakeClock(new Date());
    // A 1-minute term in a 5-minute approval window: the credential lives 6 minutes.
    h = await startHarness(
      { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_APPROVAL_TTL: '5m', ACRBOT_SECRET_MAX_EXPIRY: '1h' },
      { clock },
    );
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 1m quick hotfix pull',
    );
    const plan = request.plan as Extract<typeof request.plan, { kind: 'secret' }>;
    expect(Date.parse(plan.expiresAt) - clock.now().getTime()).toBeLessThan(MIN_CREDENTIAL_REMAINING_MS);
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
  });
});
