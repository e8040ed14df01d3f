/**
 * A waiting request's term is judged again when it is approved, under the settings and the rule
 * in force then: a reload that lowered its rule's maxDuration, or a restart with a shorter
 * ACRBOT_MAX_ACCESS_DURATION or without ACRBOT_ALLOW_PERMANENT, refuses the Approve with what was
 * asked and the most granted now, audited (`approval.refused.term`), the request left pending with
 * nothing written to Azure; Reject still closes it. The real app over the sandbox emulators.
 */
import { EventEmitter, once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { CapturingConnector } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

const policyWith = (maxDuration: string) => `version: 1
rules:
  - id: prod
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
    maxDuration: ${maxDuration}
`;

/** The card an approver's click is answered with, as text. */
const answered = (res: { body: any }): string => JSON.stringify(res.body?.value ?? res.body);

/** `action:outcome` of the request's audit entries, oldest first. */
async function actions(h: Harness, id: string): Promise<string[]> {
  return (await h.app.audit.forRequest(id)).map((e) => `${e.action}:${e.outcome}`);
}

/** ARM writes so far (a refused approval makes none). */
const writes = (sandbox: Sandbox) => sandbox.arm.requests.filter((r: { method: string }) => r.method !== 'GET').length;

test("a reload that lowered the rule's maxDuration refuses the approval of a request asking for more; Reject closes it", async () => {
  const file = join(tempDirs.make('acrbot-term-reload-'), 'policy.yaml');
  writeFileSync(file, policyWith('30d'));
  const reloads = new EventEmitter();
  const logs = new Writable({
    write(chunk, _enc, done) {
      if ((JSON.parse(String(chunk)) as { msg: string }).msg === 'approval policy reloaded') reloads.emit('reloaded');
      done();
    },
  });
  const h = await startHarness({ ACRBOT_POLICY: file }, { logger: createLogger({ level: 'info', destination: logs }) });
  try {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    expect(request).toMatchObject({ state: 'pending', access: { durationMs: 30 * 24 * 3_600_000 } });

    const reloaded = once(reloads, 'reloaded', { signal: AbortSignal.timeout(20_000) });
    writeFileSync(file, policyWith('8h'));
    process.emit('SIGHUP');
    await reloaded;

    const before = writes(h.app.sandbox!);
    const res = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(res.status).toBe(200);
    expect(answered(res)).toContain(
      `Request ${request.id} asks for 30d, but rule prod now grants at most 8h. It cannot be approved as it is: reject it, and its requester can ask again. Nothing was changed.`,
    );
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    expect((await actions(h, request.id)).slice(-1)).toEqual(['approval.refused.term:refused']);
    expect(writes(h.app.sandbox!)).toBe(before);

    await h.click(users.approver, 'reject', { requestId: request.id, comment: 'ask again for 8h' });
    expect((await h.app.store.get(request.id))!.state).toBe('rejected');
  } finally {
    await h.stop();
  }
});

test('a restart without permanent access, or with a shorter maximum, refuses the approval of requests made before', async () => {
  const sandbox = await startSandbox();
  const connector = new CapturingConnector();
  await connector.start();
  const storage = `sqlite:${join(tempDirs.make('acrbot-term-restart-'), 'acrbot.db')}`;
  const begin = (env: Record<string, string>) =>
    startHarness({ ACRBOT_STORAGE: storage, ...env }, { sandbox }, { connector });
  let h = await begin({ ACRBOT_ALLOW_PERMANENT: 'true', ACRBOT_MAX_ACCESS_DURATION: '90d' });
  try {
    const permanent = await h.requestGrant(users.requester, 'aks-prod contosoacr --for permanent deploy the tools');
    const long = await h.requestGrant(users.requester, 'aks-legacy contosoacr --for 60d deploy billing');
    expect(permanent).toMatchObject({ state: 'pending', access: { permanent: true } });
    expect(long).toMatchObject({ state: 'pending', access: { durationMs: 60 * 24 * 3_600_000 } });
    await h.stop();
    h = await begin({ ACRBOT_ALLOW_PERMANENT: 'false', ACRBOT_MAX_ACCESS_DURATION: '30d' });

    const before = writes(sandbox);
    const refusedPermanent = await h.click(users.approver, 'approve', { requestId: permanent.id });
    expect(answered(refusedPermanent)).toContain(
      `Request ${permanent.id} asks for permanent access, but permanent access is no longer allowed here (acrbot now grants at most 30d). It cannot be approved as it is`,
    );
    const refusedLong = await h.click(users.approver, 'approve', { requestId: long.id });
    expect(answered(refusedLong)).toContain(`Request ${long.id} asks for 60d, but acrbot now grants at most 30d.`);
    for (const r of [permanent, long]) {
      expect((await h.app.store.get(r.id))!.state).toBe('pending');
      expect((await actions(h, r.id)).slice(-1)).toEqual(['approval.refused.term:refused']);
    }
    expect(writes(sandbox)).toBe(before);
  } finally {
    await h.stop();
    await sandbox.stop();
    await connector.stop();
  }
});
