/**
 * A reload that leaves an owed break-glass review to its requester alone is said at once: the
 * reload's `policy.reloaded` entry and a warn line name the request (policy-reload-audit.ts, wired
 * to RequestService.awaitingReview in the composition root), and an approver's `pending` in a chat
 * with acrbot names it after their list (nobody-decides-text.ts), not only the next daily report.
 * Sandbox app; SIGHUP reloads the policy file.
 */
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';
import { SANDBOX_ONCALL_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const olive = SANDBOX_USERS.oncall as TeamsUser;
/** `prod` (aks-prod) names `user`; `other` names the approver, who stays one after the reload. */
const policyNaming = (user: string) => `version: 1
rules:
  - id: prod
    match: { cluster: "aks-prod*" }
    approvers: { users: ["${user}"] }
  - id: other
    match: {}
    approvers: { users: ["${users.approver.objectId}"] }
breakGlass:
  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]
  maxDuration: 4h
`;
const NOBODY_LINE = 'approval policy reloaded: nobody can review some owed break-glass reviews under it';

test("a reload leaving a rule naming only a break-glass grant's requester: named at the reload and by pending", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-reload-nobody-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, policyNaming(users.approver.objectId));
  const lines = new EventEmitter();
  const logs = new Writable({
    write(chunk, _enc, done) {
      const line = JSON.parse(String(chunk)) as { msg: string };
      lines.emit(line.msg, line);
      done();
    },
  });
  const h = await startHarness(
    { ACRBOT_POLICY: file },
    { logger: createLogger({ level: 'debug', destination: logs }) },
  );
  try {
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');

    const warned = once(lines, NOBODY_LINE, { signal: AbortSignal.timeout(20_000) });
    const audited = once(lines, 'policy reload audited', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, policyNaming(olive.objectId));
    process.emit('SIGHUP');
    const [warn] = (await warned) as [{ requestIds: string[] }];
    expect(warn.requestIds).toEqual([request.id]);
    await audited;
    const reloaded = (await h.app.audit.latest(50)).find((e) => e.action === 'policy.reloaded');
    expect(reloaded?.detail).toMatch(
      new RegExp(`break-glass reviews owed that nobody can do under it until the policy is mended: ${request.id}$`),
    );

    const answer = await h.turnReplies(users.approver, 'pending', 'personal');
    expect(answer).toContain(
      `- ${request.id}: its break-glass review is owed. Rule prod names only its requester as approver, who may not review it`,
    );
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
