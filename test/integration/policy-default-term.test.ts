/**
 * A rule's maxDuration shorter than the deployment's default term (ACRBOT_DEFAULT_ACCESS_DURATION,
 * 30 days here): a request without --for gets the rule's maximum instead of a refusal for a term
 * its requester never typed; a typed --for longer than the rule allows is still refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const POLICY = `version: 1
rules:
  - id: prod-short
    match: { cluster: "aks-prod*" }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
    maxDuration: 8h
  - id: dev-secrets-short
    match: { cluster: "aks-dev", flow: secret }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
    maxDuration: 8h
`;

describe("a rule's maxDuration and the default term", () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-default-term-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml'), ACRBOT_DEFAULT_ACCESS_DURATION: '30d' });
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('no --for: the request is for the rule maximum, and the granted access ends then', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(request).toMatchObject({ state: 'pending', access: { durationMs: 8 * 3600_000 } });
    await h.click(users.approver, 'approve', { requestId: request.id });
    const granted = await h.settle(request.id);
    expect(granted.state).toBe('succeeded');
    // The end is set when the access is granted: 8 hours from then.
    expect(Date.parse(granted.access!.expiresAt!) - Date.parse(granted.updatedAt)).toBe(8 * 3600_000);
  });

  test("no --for on a secret: its credential is made for the rule's maximum (and the approval wait), not the default term", async () => {
    const request = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace web deploy payments-api');
    expect(request.access).toMatchObject({ durationMs: 8 * 3600_000 });
    const plan = request.plan as { expiresAt: string };
    // Planned a moment before the request was stored: within a minute of 8 h + the 24 h approval TTL.
    const lifetimeMs = Date.parse(plan.expiresAt) - Date.parse(request.createdAt);
    expect(lifetimeMs).toBeGreaterThan(32 * 3600_000 - 60_000);
    expect(lifetimeMs).toBeLessThanOrEqual(32 * 3600_000);
  });

  test('a typed --for longer than the rule allows is refused, and nothing is stored', async () => {
    const before = h.connector.calls.length;
    const stored = (await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded'])).length;
    await h.say(users.requester, 'grant aks-prod contosoabac --for 2d deploy payments-api');
    const answer = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /maximum access of 8h/.test(cardText(c.activity)),
      5000,
      'the refusal',
    );
    expect(cardText(answer.activity)).toContain(
      '2d is longer than the maximum access of 8h; choose a duration between 1h and 8h (rule prod-short).',
    );
    expect((await h.app.audit.latest(1))[0].action).toBe('policy.refused.duration');
    expect(await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded'])).toHaveLength(stored);
  });

  test("a --for outside the deployment's limits is refused before anything is read, naming the rule that allows less", async () => {
    // No rule allows a term outside the deployment's limits: refused at once (no question, no
    // Azure read), naming the shorter rule so the second try can be right. A term inside them
    // that the rule refuses is refused once planned, naming the rule's range (the test above).
    for (const [term, said] of [
      ['91d', '91d is longer than the maximum access of 90d; choose a duration between 1h and 90d.'],
      ['0d', '0d is shorter than the minimum access of 1h; choose a duration between 1h and 90d.'],
      ['30m', '30m is shorter than the minimum access of 1h; choose a duration between 1h and 90d.'],
      ['permanent', 'Permanent access is not allowed here; choose a duration between 1h and 90d, e.g. --for 30d.'],
    ] as const) {
      const before = h.connector.calls.length;
      const armCalls = h.app.sandbox!.arm.requests.length;
      await h.say(users.requester, `grant aks-prod --for ${term}`);
      const answer = await h.connector.waitFor(
        (c) => h.connector.calls.indexOf(c) >= before && /choose a duration/.test(cardText(c.activity)),
        5000,
        `the refusal of --for ${term}`,
      );
      expect(cardText(answer.activity)).toContain(
        `${said} Some rules allow less: prod-short at most 8h, dev-secrets-short at most 8h.`,
      );
      expect(cardText(answer.activity)).not.toMatch(/Which registry/);
      expect(h.app.sandbox!.arm.requests.length).toBe(armCalls);
      expect((await h.app.audit.latest(1))[0].action).toBe('validation.failed');
    }
  });
});
