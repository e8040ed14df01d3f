/**
 * G12 beyond the logs: a text carrying a connection string, a SAS, a bearer token and a
 * password (as an Azure, Graph or Kubernetes error can quote them) loses those secrets, and
 * keeps the rest, in an audit entry (chainEntry, the one way text enters the trail), in a failed
 * run's stored outcome, and in the cards that show it. The chain still verifies, entries stored
 * before scrubbing included (verify recomputes hashes of the text as stored).
 */
import { createHash } from 'node:crypto';
import { type AuditEntry, canonicalJson, chainEntry, macOf, verifyChain } from '../../src/domain/audit-chain';
import { UserFacingError } from '../../src/domain/errors';
import type { AccessRequest } from '../../src/domain/request';
import { Executor, type PlanRunner, RunFailure } from '../../src/flows/executor';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import type { InventoryRegistry } from '../../src/domain/access-inventory';
import { registryAccessCard } from '../../src/views/access-view';
import { approverReportCard } from '../../src/views/lifecycle-view';
import { errorCard } from '../../src/views/message-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { FakeClock, MINUTE } from './support/fake-clock';
import { APPROVER, auditEvent, grantPlan, pendingRequest } from './support/requests';

import { ACCOUNT_KEY, JWT, PASSWORD, SAS_SIG, SECRETS } from '../helpers/secret-sentinels';

/** An SDK error's text quoting the request it refused, secrets and all. */
const ERROR_TEXT =
  'The storage account refused the write (AuthorizationFailure). ' +
  `PUT https://acct.blob.core.windows.net/anchors/log?sv=2022-11-02&sig=${SAS_SIG}&sp=racw ` +
  `with AccountName=acct;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net, ` +
  `Authorization: Bearer ${JWT}, password=${PASSWORD}. Ask the platform team to check the role.`;

/** Parts of {@link ERROR_TEXT} that must still read as they did. */
const READABLE = [
  'The storage account refused the write (AuthorizationFailure).',
  'acct.blob.core.windows.net/anchors/log?sv=2022-11-02',
  'AccountName=acct',
  'Ask the platform team to check the role.',
];

function expectScrubbed(text: string | undefined): void {
  expect(text).toBeDefined();
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  for (const part of READABLE) expect(text).toContain(part);
  expect(text).toContain('AccountKey=[redacted]');
  expect(text).toContain('sig=[redacted]');
  expect(text).toContain('password=[redacted]');
}

const KEY = Buffer.alloc(32, 5);
const at = (s: number) => new Date(Date.UTC(2025, 0, 15, 9, 0, s));

describe('an audit entry built by chainEntry', () => {
  test('its detail keeps the text around the secrets, not the secrets, and the chain verifies', () => {
    const first = chainEntry(auditEvent(1, { detail: ERROR_TEXT }), undefined, at(1), KEY);
    // A kubeconfig excerpt over lines: scrubbed while its line breaks still mark its lines.
    const kubeconfig = `apply failed:\nusers:\n- name: ci\n  user:\n    token: ${PASSWORD}\n`;
    const second = chainEntry(auditEvent(2, { detail: kubeconfig }), first, at(2), KEY);
    expectScrubbed(first.detail);
    expect(second.detail).toBe('apply failed:\\nusers:\\n- name: ci\\n  user:\\n    token: [redacted]\\n');
    expect(verifyChain([first, second], { seq: 2, hash: second.hash }, KEY)).toEqual({ intact: true, count: 2 });
  });

  test('an entry stored before scrubbing, its detail as it came, still verifies: verify never re-scrubs', () => {
    const { hash: _hash, mac: _mac, prevHash, ...built } = chainEntry(auditEvent(1), undefined, at(1), KEY);
    const content = { ...built, detail: ERROR_TEXT };
    // Hashed as an earlier acrbot wrote it (the documented rule), not through the code under test.
    const hash = createHash('sha256').update(prevHash).update(canonicalJson(content)).digest('hex');
    const stored: AuditEntry = { ...content, prevHash, hash, mac: macOf(KEY, hash) };
    const next = chainEntry(auditEvent(2, { detail: ERROR_TEXT }), stored, at(2), KEY);
    expect(stored.detail).toContain(ACCOUNT_KEY);
    expectScrubbed(next.detail);
    expect(verifyChain([stored, next], { seq: 2, hash: next.hash }, KEY)).toEqual({ intact: true, count: 2 });
  });
});

describe("a failed run's outcome and the cards that show it", () => {
  function setup(run: PlanRunner['run']) {
    const clock = new FakeClock();
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(clock, KEY);
    const executor = new Executor(
      store,
      audit,
      clock,
      { grant: { run } },
      { requestChanged: async () => undefined },
      createLogger({ level: 'silent' }),
      { leases: new MemoryLeaseStore(() => clock.now()), owner: 'test', ttlMs: MINUTE },
    );
    return { store, audit, executor };
  }

  const approved = pendingRequest({
    state: 'approved',
    version: 2,
    decision: { approved: true, by: APPROVER, at: '2025-01-15T09:00:00.000Z' },
  });

  test.each([
    ['a user-facing error quoting Azure', () => new UserFacingError('azure.refused', ERROR_TEXT)],
    [
      "a runner's failure outcome",
      () => new RunFailure({ summary: 'Failed', azureRequestIds: [], error: ERROR_TEXT, errorCode: 'x' }),
    ],
  ])('%s: stored, audited and shown without its secrets', async (_what, failure) => {
    const { store, audit, executor } = setup(async () => {
      throw failure();
    });
    await store.create(approved);
    await executor.schedule(approved.id);
    const failed = (await store.get(approved.id))!;
    expect(failed.state).toBe('failed');
    expectScrubbed(failed.outcome?.error);
    const entry = (await audit.forRequest(approved.id)).find((e) => e.action === 'request.failed');
    expectScrubbed(entry?.detail);
    expect(await audit.verify()).toMatchObject({ intact: true });
  });

  /** A failed request whose stored error still carries the secrets (stored before outcomes were scrubbed). */
  const storedRaw: AccessRequest = {
    ...approved,
    state: 'failed',
    outcome: { summary: 'Failed', azureRequestIds: [], error: ERROR_TEXT, errorCode: 'x' },
  };

  test.each([
    ['the request card', () => requestCard(storedRaw, { showActions: false })],
    ['the request card with a notice', () => requestCard(approved, { showActions: false, notice: ERROR_TEXT })],
    ['the outcome card', () => outcomeCard(storedRaw)],
    ["the approvers' report", () => approverReportCard(storedRaw, ERROR_TEXT, true)],
    [
      'the error card',
      () => errorCard({ err: new UserFacingError('x', ERROR_TEXT), reference: 'ref-1', sandbox: true }),
    ],
    [
      "the registry's access, a cluster not checked",
      () => {
        const { registry, cluster } = grantPlan();
        const unresolved = { cluster: { ...cluster, subscriptionId: 'sub' }, problem: ERROR_TEXT };
        const report = { registry: registry as InventoryRegistry, cells: [], generatedAt: '2025-01-15T09:00:00.000Z' };
        return registryAccessCard({ ...report, unresolvedClusters: [unresolved] }, true);
      },
    ],
  ])('%s shows the error text without its secrets', (_what, card) => {
    // Cards break up `https://` (inertText): the readable parts are compared without the scheme.
    expectScrubbed(JSON.stringify(card()));
  });
});
