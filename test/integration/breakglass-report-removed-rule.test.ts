/**
 * The daily report of an owed break-glass review, with no break-glass or audit channel, after a
 * reload removed the grant's rule: the review passed to the current rule that fits the request
 * (decidedRule), so the report goes to that rule's channel, where its reviewers are, not to the
 * removed rule's channel stored with the request. Pins the wiring of CardMessenger.ruleOf to
 * RequestService.ruleOf in the composition root. Sandbox app; SIGHUP reloads the policy file.
 */
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_ONCALL_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { startHarness } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const olive = SANDBOX_USERS.oncall as TeamsUser;
const OLD_CHANNEL = '19:prod-team@thread.tacv2';
const NEW_CHANNEL = '19:platform-team@thread.tacv2';
const policyWith = (id: string, channel: string) => `version: 1
rules:
  - id: ${id}
    match: {}
    approvers: { groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
    channel: "${channel}"
breakGlass:
  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]
  maxDuration: 4h
`;

test('rule removed by a reload: the overdue report goes to the channel of the rule that now reviews it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-bg-removed-rule-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, policyWith('prod', OLD_CHANNEL));
  const reloads = new EventEmitter();
  const logs = new Writable({
    write(chunk, _enc, done) {
      if ((JSON.parse(String(chunk)) as { msg: string }).msg === 'approval policy reloaded') reloads.emit('reloaded');
      done();
    },
  });
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const h = await startHarness(
    { ACRBOT_POLICY: file },
    { clock, logger: createLogger({ level: 'info', destination: logs }) },
  );
  try {
    expect(h.app.config.auditChannelId).toBeUndefined();
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');

    const reloaded = once(reloads, 'reloaded', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, policyWith('platform', NEW_CHANNEL));
    process.emit('SIGHUP');
    await reloaded;

    const reportsIn = (channel: string) =>
      h.connector.calls.filter(
        (c) => c.conversationId.split(';')[0] === channel && /BREAK-GLASS still unreviewed/.test(cardText(c.activity)),
      );
    offset = 25 * 3_600_000;
    expect(await h.app.scheduler.runNow(`breakglass.review:${request.id}`)).toBe(true);
    expect(reportsIn(NEW_CHANNEL)).toHaveLength(1);
    expect(reportsIn(OLD_CHANNEL)).toHaveLength(0);
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
