/**
 * A policy file changed into one with problems is refused on reload and the policy before it
 * stays in force (G18). The log says so once; `@acrbot policy` says so too, beside the policy
 * still applied, until a good file is taken: someone checking the rules in Teams sees that the
 * file on disk is not what runs (and that the next restart would refuse to start).
 */
import { once, EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { createLogger } from '../../src/observability/logger';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const POLICY = `version: 1
rules:
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
`;

describe('a refused policy reload on the policy card', () => {
  let h: Harness | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-policy-refused-'));
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the card names the refusal while the old policy applies, and drops it once a good file loads', async () => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, POLICY);
    const reloads = new EventEmitter();
    const logs = new Writable({
      write(chunk, _enc, done) {
        const msg = (JSON.parse(String(chunk)) as { msg: string }).msg;
        if (msg.startsWith('approval policy not reloaded')) reloads.emit('refused');
        if (msg === 'approval policy reloaded') reloads.emit('reloaded');
        done();
      },
    });
    h = await startHarness({ ACRBOT_POLICY: file }, { logger: createLogger({ level: 'info', destination: logs }) });
    const policyCard = async () => {
      const before = h!.connector.calls.length;
      await h!.say(users.requester, 'policy aks-prod contosoacr');
      const reply = await h!.connector.waitFor(
        (c) => h!.connector.calls.indexOf(c) >= before && /Approval policy for aks-prod/.test(cardText(c.activity)),
        5000,
        'the policy card',
      );
      return reply.activity;
    };
    /** The card's text on a warning-styled background (message.json): the refused reload's notice, and only it. */
    const warnings = (activity: Record<string, any>): string[] =>
      (activity.attachments[0].content.body as Array<{ type: string; style?: string; items?: Array<{ text: string }> }>)
        .filter((b) => b.type === 'Container' && b.style === 'warning')
        .map((b) => b.items![0]!.text)
        .filter((text) => !text.startsWith('SANDBOX'));
    const before = await policyCard();
    expect(cardText(before)).not.toMatch(/was refused/);
    expect(warnings(before)).toEqual([]);

    const refused = once(reloads, 'refused', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, POLICY.replace('approvers: {', 'approverz: {'));
    process.emit('SIGHUP');
    await refused;
    const refusedCard = await policyCard();
    // A notice of its own, in the warning colour, apart from the rule that applies.
    expect(warnings(refusedCard)).toEqual([
      expect.stringMatching(
        /^Not in force: the policy file read at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC was refused \(2 problems, the first at line 3, rules\[0\]\.approvers: nobody could approve under this rule: list approvers \(users or groups\) or use autoApprove\)\. The policy below is still the one in force; "npm run policy:check" lists every problem\.$/,
      ),
    ]);
    expect(warnings(refusedCard)[0]).not.toContain(dir);
    expect(cardText(refusedCard)).toContain('Rule default applies');

    const reloaded = once(reloads, 'reloaded', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, POLICY.replace('id: default', 'id: everything'));
    process.emit('SIGHUP');
    await reloaded;
    const after = await policyCard();
    expect(cardText(after)).not.toMatch(/was refused/);
    expect(warnings(after)).toEqual([]);
    expect(cardText(after)).toContain('Rule everything applies');
  });
});
