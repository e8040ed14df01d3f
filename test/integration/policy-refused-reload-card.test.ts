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
      return cardText(reply.activity);
    };
    expect(await policyCard()).not.toMatch(/was refused/);

    const refused = once(reloads, 'refused', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, POLICY.replace('approvers: {', 'approverz: {'));
    process.emit('SIGHUP');
    await refused;
    const text = await policyCard();
    expect(text).toMatch(/The policy file changed on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC and was refused: /);
    expect(text).toContain('the policy below stays in force');
    expect(text).toContain('Rule default applies');

    const reloaded = once(reloads, 'reloaded', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, POLICY.replace('id: default', 'id: everything'));
    process.emit('SIGHUP');
    await reloaded;
    const after = await policyCard();
    expect(after).not.toMatch(/was refused/);
    expect(after).toContain('Rule everything applies');
  });
});
