/**
 * Policy reloads through SIGHUP while work is live, in the sandbox app: each reload is audited
 * (`policy.reloaded` with both hashes and the rules added and removed; `policy.reload.refused`
 * with the first problem), and a break-glass review owed for a pair the new policy no longer
 * covers is reviewed by those of its rule's approvers the policy still names: its daily report
 * goes where its rule's approvers are asked, says that no rule covers the pair and that they
 * review it under the rule as it was, and the operators are warned to add a rule. Once the policy
 * names none of them, nobody can review it (a reload gives no right back to someone it removed):
 * the report says so, and the warning too.
 */
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';
import {
  SANDBOX_APPROVAL_CHANNEL_ID,
  SANDBOX_APPROVER_GROUP_ID,
  SANDBOX_ONCALL_GROUP_ID,
  SANDBOX_USERS,
} from '../../src/sandbox/fixtures';
import type { Actor } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { startHarness } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const olive = SANDBOX_USERS.oncall as TeamsUser;
const PROD_CHANNEL = '19:prod-team@thread.tacv2';
const DEV_CHANNEL = '19:dev-team@thread.tacv2';
const policyWith = (
  id: string,
  match: string,
  channel: string,
  approvers = `{ groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }`,
) => `version: 1
rules:
  - id: ${id}
    match: ${match}
    approvers: ${approvers}
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
      'No rule of the approval policy in force covers aks-prod → contosoacr, so those of the approvers rule prod had when it ran whom the policy still names review it under that rule as it was',
    );
    expect(report).toContain('Add a rule for aks-prod → contosoacr to the approval policy');
    expect(warnings).toContainEqual(
      expect.objectContaining({
        requestId: request.id,
        policyRule: 'prod',
        msg: 'a break-glass review is owed for a pair no rule of the approval policy covers now: those of the approvers its rule had whom the policy still names review it; add a rule for the pair',
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

    // The dev rule now names only Oscar: none of rule prod's approvers is in the policy any more,
    // so nobody can review it; the next report says so, and the operators are warned.
    written = audited();
    writeFileSync(
      file,
      policyWith('dev', '{ cluster: "aks-dev*" }', DEV_CHANNEL, `{ users: ["${SANDBOX_USERS.outsider.objectId}"] }`),
    );
    process.emit('SIGHUP');
    await written;
    const stored = (await h.app.store.get(request.id))!;
    for (const who of [SANDBOX_USERS.approver, SANDBOX_USERS.outsider] as Actor[])
      expect(await h.app.services.requests.isApproverOf(who, stored)).toBe(false);
    offset = 49 * 3_600_000;
    const seen = h.connector.calls.length;
    expect(await h.app.scheduler.runNow(`breakglass.review:${request.id}`)).toBe(true);
    const next = h.connector.calls.slice(seen).filter((c) => /BREAK-GLASS still unreviewed/.test(cardText(c.activity)));
    // Nobody of rule prod is left to read its channel: the report goes where a pair no rule covers
    // goes (no break-glass or audit channel here: the deployment's approvals channel).
    expect(next.map((c) => c.conversationId.split(';')[0])).toEqual([SANDBOX_APPROVAL_CHANNEL_ID]);
    expect(cardText(next[0].activity)).toContain(
      'No rule of the approval policy in force covers aks-prod → contosoacr, and none of the approvers rule prod had is in the policy any more, so nobody can review it until a rule for aks-prod → contosoacr is added to the approval policy',
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        requestId: request.id,
        policyRule: 'prod',
        msg: 'a break-glass review is owed for a pair no rule of the approval policy covers now, and the policy names none of the approvers its rule had: nobody can review it; add a rule for the pair',
      }),
    );
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
