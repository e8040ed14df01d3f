/**
 * The drawer's Extend offers the terms the extension will be judged by: an extension is bound to
 * the rule that fits the cluster's and registry's tags now (G18), so the range the drawer sends
 * (`extendRange`) comes from those tags, read again in Azure, not from the ones stored with the
 * original request. A cluster retagged into a stricter rule since the grant is offered that
 * rule's maximum, and what is offered is accepted; lists carry no range (no Azure reads per row).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CLUSTERS, SANDBOX_USERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { tabCall as call } from '../helpers/tab-call';
import { type Harness, startHarness, users } from '../helpers/harness';

const AUDIENCE = `api://localhost/${SANDBOX_TAB_APP_ID}`;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const POLICY = `version: 1
rules:
  - id: prod-short
    match: { clusterTags: { env: prod } }
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
    maxDuration: 7d
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
`;

describe('the drawer’s extension terms come from the tags in Azure now', () => {
  let h: Harness;
  let dir: string;
  let riley: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-tab-extend-range-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
    riley = await h.app.sandbox!.identity.issue({ user: 'requester', audience: AUDIENCE });
  });
  afterAll(async () => {
    try {
      await h?.stop();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cluster retagged into a rule of at most 7 days is offered 7 days, and what is offered is accepted', async () => {
    const request = await h.requestGrant(users.requester, 'aks-dev contosoacr --for 1d nightly batch pulls');
    expect(request.policy?.ruleId).toBe('default');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');

    const before = await call(h.app.url, `/api/tab/requests/${request.id}`, riley);
    expect(before.body.row).toMatchObject({ canExtend: true, extendRange: { minMs: HOUR_MS, maxMs: 90 * DAY_MS } });

    // The platform team moves aks-dev to prod duties; the stored request still says env: dev.
    h.app.sandbox!.arm.state.getCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev))!.tags = { env: 'prod' };
    const drawer = await call(h.app.url, `/api/tab/requests/${request.id}`, riley);
    expect(drawer.status).toBe(200);
    expect(drawer.body.row.extendRange).toEqual({ minMs: HOUR_MS, maxMs: 7 * DAY_MS });

    // List rows offer no terms (the drawer does), so they read no tags.
    const mine = await call(h.app.url, '/api/tab/my-access', riley);
    const row = mine.body.grants.find((r: { requestId?: string }) => r.requestId === request.id);
    expect(row).toMatchObject({ canExtend: true });
    expect(row.extendRange).toBeUndefined();

    // Beyond the range is refused, as the drawer no longer offers it; the longest offered is accepted.
    const refused = await call(h.app.url, `/api/tab/requests/${request.id}/extend`, riley, {
      duration: '30d',
      reason: 'batch pulls run another month',
    });
    expect(refused.status).not.toBe(202);
    expect(refused.body.error).toBe('policy.maxDuration');
    const accepted = await call(h.app.url, `/api/tab/requests/${request.id}/extend`, riley, {
      duration: '7d',
      reason: 'batch pulls run another week',
    });
    expect(accepted.status).toBe(202);
    expect((await h.app.store.get(accepted.body.requestId))!).toMatchObject({
      state: 'pending',
      extendsRequestId: request.id,
      policy: { ruleId: 'prod-short' },
    });
  });
});
