/**
 * Policy reloads through SIGHUP while work is live, in the sandbox app: each reload is audited
 * (`policy.reloaded` with both hashes and the rules added and removed; `policy.reload.refused`
 * with the first problem), and a break-glass review owed for a pair the new policy no longer
 * covers is not left to nobody: its daily report goes where its rule's approvers are asked, says
 * that no rule covers the pair and that they review it under the rule as it was, and the
 * operators are warned to add a rule.
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
const PROD_CHANNEL = '19:prod-team@thread.tacv2';
const DEV_CHANNEL = '19:dev-team@thread.tacv2';
const policyWith = (id: string, match: string, channel: string) => `version: 1
rules:
  - id: ${id}
    match: ${match}
    approvers: { groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
    channel: "${channel}"
breakGlass:
  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]
  maxDuration: 4h
`;

test('SIGHUP reloads are audited, and a review owed for a pair no rule covers now is reported to its rule’s approvers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-reload-uncovered-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, policyWith('prod', '{}', PROD_CHANNEL));
  const logs = new EventEmitter();
  const warnings: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      const line = JSON.parse(String(chunk)) as { msg: string; level: number };
      logs.emit(line.msg, line);
      if (line.level === 40) warnings.push(line);
      done();
    },
  });
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const h = await startHarness(
    { ACRBOT_POLICY: file },
    { clock, logger: createLogger({ level: 'debug', destination: sink }) },
  );
  const audited = () => once(logs, 'policy reload audited', { signal: AbortSignal.timeout(20_000) });
  const policyEntries = async () => (await h.app.audit.latest(200)).filter((e) => e.action.startsWith('policy.reload'));
  try {
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const before = h.app.services.requests.currentPolicy().hash;

    // The new file covers only the dev clusters.
    let written = audited();
    writeFileSync(file, policyWith('dev', '{ cluster: "aks-dev*" }', DEV_CHANNEL));
    process.emit('SIGHUP');
    await written;
    const after = h.app.services.requests.currentPolicy().hash;
    expect(after).not.toBe(before);
    expect(await policyEntries()).toEqual([
      expect.objectContaining({
        action: 'policy.reloaded',
        outcome: 'reloaded',
        policyHash: after,
        detail: `policy ${before} → ${after}; rules added: dev; removed: prod`,
      }),
    ]);

    offset = 25 * 3_600_000;
    expect(await h.app.scheduler.runNow(`breakglass.review:${request.id}`)).toBe(true);
    const reports = h.connector.calls.filter((c) => /BREAK-GLASS still unreviewed/.test(cardText(c.activity)));
    expect(reports.map((c) => c.conversationId.split(';')[0])).toEqual([PROD_CHANNEL]);
    const report = cardText(reports[0].activity);
    expect(report).toContain(
      'No rule of the approval policy in force covers aks-prod → contosoacr, so the approvers rule prod had when it ran review it under that rule as it was',
    );
    expect(report).toContain('Add a rule for aks-prod → contosoacr to the approval policy');
    expect(warnings).toContainEqual(
      expect.objectContaining({
        requestId: request.id,
        policyRule: 'prod',
        msg: 'a break-glass review is owed for a pair no rule of the approval policy covers now: the approvers its rule had review it; add a rule for the pair',
      }),
    );

    // A broken file: refused, audited with its first problem; the policy in force stays.
    written = audited();
    writeFileSync(file, 'version: 1\nrules:\n  - id: broken\n    match: {}\n');
    process.emit('SIGHUP');
    await written;
    expect(h.app.services.requests.currentPolicy().hash).toBe(after);
    expect((await policyEntries())[1]).toMatchObject({
      action: 'policy.reload.refused',
      outcome: 'refused',
      policyHash: after,
      detail: expect.stringMatching(
        new RegExp(`^policy ${after} kept: line 3, rules\\[0\\]\\.approvers: nobody could approve`),
      ),
    });
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
