/**
 * The policy reload trail stays in call order and record() never throws: a reload taken waits on
 * the reviews-owed read before its append, so a refusal recorded meanwhile is chained behind it;
 * an owed request the policy code cannot judge is logged, not thrown; and only a reload taken
 * names the reviews left to nobody (a refusal keeps the policy and names none).
 */
import { loadPolicy } from '../../src/config/policy-file';
import type { AccessRequest } from '../../src/domain/request';
import { PolicyReloadAudit, type ReviewsOwedReader } from '../../src/flows/policy-reload-audit';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { breakGlassRequest } from './support/break-glass';
import { FakeClock } from './support/fake-clock';
import { logLines } from './support/log-lines';
import { grantPlan, REQUESTER } from './support/requests';

const U1 = '0a000000-0000-4000-8000-00000000bbb1';
const U2 = '0a000000-0000-4000-8000-00000000bbb2';
const WARN = 40;
const rules = (user: string) =>
  `version: 1\nrules:\n  - id: prod\n    match: { cluster: "aks-prod*" }\n    approvers: { users: ["${user}"] }\n`;
const V1 = loadPolicy(rules(U1), 'v1.yaml').policy;
const V2 = loadPolicy(rules(U2), 'v2.yaml').policy;
/** `prod` names only the requester: nobody reviews their owed break-glass review. */
const ONLY_REQUESTER = loadPolicy(rules(REQUESTER.objectId), 'v3.yaml').policy;

function owed(id: string): AccessRequest {
  const request = breakGlassRequest(
    REQUESTER,
    '2026-12-06T08:00:00.000Z',
    { dueAt: '2026-12-07T08:00:00.000Z' },
    { id, state: 'succeeded', plan: grantPlan() },
  );
  return { ...request, policy: { ...request.policy!, rule: ONLY_REQUESTER.rules[0] } };
}

function setUp(initial = V1, reviewsOwed?: ReviewsOwedReader) {
  const clock = new FakeClock('2026-12-06T09:00:00.000Z');
  const audit = new MemoryAuditLog(clock);
  const { lines, logger } = logLines();
  const reloads = new PolicyReloadAudit(audit, clock, logger, 'tenant-1', initial, reviewsOwed);
  const trail = async () => (await audit.latest(10)).sort((a, b) => a.seq - b.seq);
  return { reloads, trail, lines };
}

describe('policy reload trail order and failures', () => {
  test('a refusal recorded while a taken reload waits on the reviews read is appended after it', async () => {
    const held: Array<(v: { requests: readonly AccessRequest[] }) => void> = [];
    let open = false;
    const { reloads, trail } = setUp(V1, () =>
      open ? Promise.resolve({ requests: [] }) : new Promise((resolve) => held.push(resolve)),
    );
    const taken = reloads.record({ ok: true, changed: true, policy: V2 });
    const refused = reloads.record({ ok: false, error: new Error('bad yaml'), policy: V2 }, 'the file is broken');
    // Let the refusal run as far as it can while the read is held.
    await new Promise((resolve) => setImmediate(resolve));
    expect(held).toHaveLength(1);
    open = true;
    for (const release of held) release({ requests: [] });
    await Promise.all([taken, refused]);
    const entries = await trail();
    expect(entries.map((e) => e.action)).toEqual(['policy.reloaded', 'policy.reload.refused']);
    expect(entries[0].detail).toContain(`policy ${V1.hash} → ${V2.hash}`);
    expect(entries[1].detail).toBe(`policy ${V2.hash} kept: the file is broken`);
  });

  test('an owed request the policy code cannot judge: logged, the entry written without names, no throw', async () => {
    const broken = { ...owed('R-BROKEN'), plan: undefined } as unknown as AccessRequest;
    const { reloads, trail, lines } = setUp(V1, async () => ({ requests: [broken] }));
    await expect(reloads.record({ ok: true, changed: true, policy: V2 })).resolves.toBeUndefined();
    const entries = await trail();
    expect(entries.map((e) => e.action)).toEqual(['policy.reloaded']);
    expect(entries[0].detail).not.toContain('R-BROKEN');
    expect(lines.filter((l) => l.level === WARN)).toEqual([
      expect.objectContaining({
        msg: 'policy reload: the break-glass reviews owed could not be read to name those nobody can review now',
      }),
    ]);
  });

  test('a refused reload names no owed review, even one nobody can do under the policy kept', async () => {
    const { reloads, trail, lines } = setUp(ONLY_REQUESTER, async () => ({ requests: [owed('R-MINE')] }));
    await reloads.record({ ok: false, error: new Error('bad'), policy: ONLY_REQUESTER }, 'the file is broken');
    const entries = await trail();
    expect(entries.map((e) => e.action)).toEqual(['policy.reload.refused']);
    expect(entries[0].detail).toBe(`policy ${ONLY_REQUESTER.hash} kept: the file is broken`);
    expect(lines.filter((l) => l.level === WARN)).toEqual([]);
  });
});
