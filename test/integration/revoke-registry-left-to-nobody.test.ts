/**
 * `revoke registry NAME` by an approver, after a policy reload removed the rule a grant was
 * decided under and every one of its approvers (decided-rule.ts `leftToNobody`): nobody but its
 * requester may revoke that grant (notRevokerMessage), so the card does not send the reader to
 * "its rule's approvers", who are no one; a grant whose rule still stands keeps those words.
 * Through the real server and the sandbox; the reload through SIGHUP.
 */
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { sam } from '../helpers/legacy-rule-policy';
import type { TeamsUser } from '../helpers/teams-activities';

const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;
const rule = (id: string, cluster: string, approver: string) =>
  `  - { id: ${id}, match: { cluster: "${cluster}" }, approvers: { users: ["${approver}"] } }`;
const PROD = rule('prod', 'aks-prod', users.approver.objectId);
const DEV = rule('dev', 'aks-dev', sam.objectId);

/**
 * The harness over a policy file of `rules`, with `body` run on it and `reload` writing new rules
 * and sending SIGHUP, awaited until the reload is audited.
 */
async function withPolicy(
  rules: string[],
  body: (
    h: Harness,
    reload: (next: string[]) => Promise<void>,
    grant: (user: TeamsUser, approver: TeamsUser, args: string) => Promise<{ id: string }>,
  ) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-revoke-nobody-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, ['version: 1', 'rules:', ...rules].join('\n'));
  const logs = new EventEmitter();
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.emit((JSON.parse(String(chunk)) as { msg: string }).msg);
      done();
    },
  });
  const h = await startHarness(
    { ACRBOT_POLICY: file, ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' },
    { logger: createLogger({ level: 'debug', destination: sink }) },
  );
  try {
    const grant = async (user: TeamsUser, approver: TeamsUser, args: string) => {
      const asked = await h.requestGrant(user, args);
      await h.click(approver, 'approve', { requestId: asked.id });
      expect((await h.settle(asked.id)).state).toBe('succeeded');
      return asked;
    };
    const reload = async (next: string[]) => {
      const reloaded = once(logs, 'policy reload audited', { signal: AbortSignal.timeout(20_000) });
      writeFileSync(file, ['version: 1', 'rules:', ...next].join('\n'));
      process.emit('SIGHUP');
      await reloaded;
    };
    await body(h, reload, grant);
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a grant no rule covers any more, its approvers gone from the policy, is said to be revocable by its requester only', async () => {
  const legacy = rule('legacy', 'aks-legacy', sam.objectId);
  await withPolicy([legacy, PROD, DEV], async (h, reload, grant) => {
    await grant(users.requester, users.approver, 'aks-prod contosoacr --for 30d deploy payments-api');
    const old = await grant(second, sam, 'aks-legacy contosoacr --for 30d nightly batch pulls');
    const dev = await grant(second, sam, 'aks-dev contosoacr --for 30d dev pulls for payments');

    // Rule legacy goes, and with it the only rule naming Sam: nobody is left to revoke under it.
    await reload([PROD, rule('dev', 'aks-dev', users.requester.objectId)]);

    h.connector.clear();
    await h.say(users.approver, 'revoke registry contosoacr incident 42 credential leak');
    const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
    const text = cardText(sent.activity);
    expect(text).toContain(
      '1 more is covered by no rule of the approval policy in force any more, and none of the approvers rule legacy had is in the policy, so nobody but its requester may revoke it until a rule covering the pair is added.',
    );
    expect(text).not.toContain('under rule legacy');
    // Rule dev still stands (its approvers changed): its words stay.
    expect(text).toContain('1 more is under rule dev, whose approvers (or the requester) can revoke it.');
    expect(text).not.toContain(old.id);
    expect(text).not.toContain(dev.id);
  });
});

test('such grants on two clusters of the registry need a rule for each of their pairs, not "the pair"', async () => {
  const legacy = rule('legacy', 'aks-legacy', sam.objectId);
  await withPolicy([legacy, PROD, DEV], async (h, reload, grant) => {
    await grant(users.requester, users.approver, 'aks-prod contosoacr --for 30d deploy payments-api');
    await grant(second, sam, 'aks-legacy contosoacr --for 30d nightly batch pulls');
    await grant(second, sam, 'aks-dev contosoacr --for 30d dev pulls for payments');

    // Both of Sam's rules go: two grants on two pairs are left to nobody.
    await reload([PROD]);

    h.connector.clear();
    await h.say(users.approver, 'revoke registry contosoacr incident 42 credential leak');
    const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
    const text = cardText(sent.activity);
    expect(text).toContain(
      '2 more are covered by no rule of the approval policy in force any more, and none of the approvers rules legacy, dev had is in the policy, so nobody but their requesters may revoke them until rules covering their 2 pairs are added.',
    );
    expect(text).not.toContain('the pair');
  });
});
