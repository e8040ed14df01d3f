/**
 * A reload that leaves an owed break-glass review to nobody says so when it takes the file: its
 * `policy.reloaded` entry and a warn line name the requests (nobodyReviews of the rule whose
 * approvers review each now), rather than only the next daily report. Real PolicySource on a
 * temporary file, over a memory audit log, with the owed reviews given as RequestService reads them.
 */
import { writeFileSync } from 'node:fs';
import { loadPolicy } from '../../src/config/policy-file';
import { PolicySource } from '../../src/config/policy-source';
import type { AccessRequest } from '../../src/domain/request';
import { PolicyReloadAudit, type ReviewsOwedReader } from '../../src/flows/policy-reload-audit';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { breakGlassRequest } from './support/break-glass';
import { FakeClock } from './support/fake-clock';
import { logLines } from './support/log-lines';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';
import { useTempDir } from './support/temp-dir';

const U1 = '0a000000-0000-4000-8000-00000000bbb1';
const U3 = '0a000000-0000-4000-8000-00000000bbb3';
const WARN = 40;
const rules = (...r: Array<[string, string]>) =>
  `version: 1\nrules:\n${r.map(([id, user]) => `  - id: ${id}\n    match: { cluster: "aks-${id}*" }\n    approvers: { users: ["${user}"] }\n`).join('')}`;
const V1 = rules(['prod', U1], ['dev', U1]);
/** `prod` names only the requester of R-MINE: nobody reviews theirs; R-OTHER's requester it may. */
const ONLY_REQUESTER = rules(['prod', REQUESTER.objectId], ['dev', U1]);
/** `prod` removed, and `dev` names someone else: nothing covers aks-prod, and U1 is gone. */
const PROD_GONE = rules(['dev', APPROVER.objectId]);
/** `prod` names another approver, neither requester: someone reviews both. */
const REPLACED = rules(['prod', U3], ['dev', U1]);
/** The tenant the entries are filed under: the owed requests' own (pendingRequest's), unless said. */
const TENANT_ID = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const OTHER_TENANT = '7c2f3d4e-0000-4000-8000-00000000b0b0';
const NOBODY_LINE = 'approval policy reloaded: nobody can review some owed break-glass reviews under it';

/** An owed review of `requester`'s grant on aks-prod, bound to V1's `prod`. */
function owed(id: string, requester = REQUESTER, tenantId = TENANT_ID): AccessRequest {
  const bound = loadPolicy(V1, 'v1.yaml').policy.rules[0];
  const request = breakGlassRequest(
    requester,
    '2026-12-06T08:00:00.000Z',
    { dueAt: '2026-12-07T08:00:00.000Z' },
    {
      id,
      state: 'succeeded',
      plan: grantPlan(),
    },
  );
  return { ...request, tenantId, policy: { ...request.policy!, rule: bound } };
}

describe('a reload that leaves owed break-glass reviews to nobody', () => {
  const dir = useTempDir('acrbot-policy-reload-nobody-');

  function setUp(reviewsOwed: ReviewsOwedReader) {
    const file = dir.path('policy.yaml');
    writeFileSync(file, V1);
    const clock = new FakeClock('2026-12-06T09:00:00.000Z');
    const audit = new MemoryAuditLog(clock);
    const { lines, logger } = logLines();
    const initial = loadPolicy(V1, file);
    const reloads = new PolicyReloadAudit(audit, clock, logger, TENANT_ID, initial.policy, reviewsOwed);
    const source = new PolicySource(initial, file, undefined, { sleep: () => Promise.resolve() });
    const reloadTo = async (text: string) => {
      writeFileSync(file, text);
      const result = await source.reload();
      await reloads.record(result, result.ok ? undefined : source.refusal()?.reason);
      return (await audit.latest(1))[0];
    };
    return { lines, reloadTo };
  }

  test('a rule left naming only the requester: that request named, in the entry and a warn line', async () => {
    const { lines, reloadTo } = setUp(async () => ({ requests: [owed('R-MINE'), owed('R-OTHER', APPROVER)] }));
    const entry = await reloadTo(ONLY_REQUESTER);
    expect(entry.action).toBe('policy.reloaded');
    expect(entry.detail).toMatch(
      /; rules changed: prod; break-glass reviews owed that nobody can do under it until the policy is mended: R-MINE$/,
    );
    expect(lines.filter((l) => l.level === WARN)).toEqual([
      expect.objectContaining({ msg: NOBODY_LINE, requestIds: ['R-MINE'], count: 1, policyHash: entry.policyHash }),
    ]);
  });

  test('no rule covers the pair and none of its approvers is named any more: every such review named', async () => {
    const { reloadTo } = setUp(async () => ({ requests: [owed('R-MINE'), owed('R-OTHER', APPROVER)] }));
    const entry = await reloadTo(PROD_GONE);
    expect(entry.detail).toMatch(/nobody can do under it until the policy is mended: R-MINE, R-OTHER$/);
  });

  test("two tenants: the entry names its own tenant's requests and only counts the other's; the warn line names all", async () => {
    const { lines, reloadTo } = setUp(async () => ({
      requests: [owed('R-MINE'), owed('R-THEIRS1', REQUESTER, OTHER_TENANT), owed('R-THEIRS2', APPROVER, OTHER_TENANT)],
    }));
    const entry = await reloadTo(PROD_GONE);
    expect(entry.tenantId).toBe(TENANT_ID);
    expect(entry.detail).toMatch(/until the policy is mended: R-MINE \(and 2 in other tenants\)$/);
    expect(entry.detail).not.toContain('R-THEIRS');
    expect(lines.filter((l) => l.level === WARN)).toEqual([
      expect.objectContaining({ msg: NOBODY_LINE, requestIds: ['R-MINE', 'R-THEIRS1', 'R-THEIRS2'], count: 3 }),
    ]);
  });

  test("only another tenant's reviews left to nobody: the entry counts them, naming none", async () => {
    const { reloadTo } = setUp(async () => ({ requests: [owed('R-THEIRS1', REQUESTER, OTHER_TENANT)] }));
    const entry = await reloadTo(PROD_GONE);
    expect(entry.detail).toMatch(/until the policy is mended: 1 in other tenant$/);
    expect(entry.detail).not.toContain('R-THEIRS');
  });

  test('someone may review each: nothing added, no warn line', async () => {
    const { lines, reloadTo } = setUp(async () => ({ requests: [owed('R-MINE'), owed('R-OTHER', APPROVER)] }));
    const entry = await reloadTo(REPLACED);
    expect(entry.detail).toMatch(/; rules changed: prod$/);
    expect(lines.filter((l) => l.level === WARN)).toEqual([]);
  });

  test('the reviews owed cannot be read: the entry is written without them, and the failure is logged', async () => {
    const { lines, reloadTo } = setUp(() => Promise.reject(new Error('store unavailable')));
    const entry = await reloadTo(ONLY_REQUESTER);
    expect(entry.detail).toMatch(/; rules changed: prod$/);
    expect(lines.filter((l) => l.level === WARN)).toEqual([
      expect.objectContaining({
        msg: 'policy reload: the break-glass reviews owed could not be read to name those nobody can review now',
      }),
    ]);
  });
});
