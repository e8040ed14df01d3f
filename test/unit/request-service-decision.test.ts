/**
 * Only the winner of the conditional transition records the decision (G8, G11): two
 * RequestService instances (two bot processes) on one store, and an audit log that fails.
 */
import { approvedEntryKey } from '../../src/flows/decision-entry-net';
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AuditLog } from '../../src/domain/ports';
import { RequestService } from '../../src/flows/request-service';
import type { FlowSettings } from '../../src/flows/settings';
import type { RequestNotifier } from '../../src/flows/notifier';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { APPROVER, OUTSIDER, grantPlan, REQUESTER } from './support/requests';

const TENANT = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const SECOND_APPROVER = OUTSIDER;

const settings: FlowSettings = {
  approvalTtlMs: 24 * 3_600_000,
  approverIds: [APPROVER.objectId, SECOND_APPROVER.objectId],
  auditorIds: [],
  approverJustificationRequired: false,
  principalRetryDelaysMs: [],
  sandbox: true,
};
const directory = fakeDirectory();

const silentNotifier: RequestNotifier = { requestChanged: async () => undefined };
const log = createLogger({ level: 'silent' });

function setup(audit: AuditLog = new MemoryAuditLog({ now: () => new Date() }), logger = log) {
  const clock = new FakeClock();
  const store = new MemoryRequestStore();
  const make = () => new RequestService(store, audit, directory, clock, settings, silentNotifier, logger);
  return { store, audit, a: make(), b: make() };
}

async function createRequest(service: RequestService) {
  return service.create({
    requester: REQUESTER,
    tenantId: TENANT,
    reason: 'deploy payments-api',
    plan: grantPlan(),
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
  });
}

const isDecision = (e: { action: string }) => e.action === 'request.approved' || e.action === 'request.rejected';

describe('RequestService decisions: only the winner audits', () => {
  test('G8: concurrent approvals through two services on one store → exactly one decision entry', async () => {
    const { a, b, audit } = setup();
    const request = await createRequest(a);
    const results = await Promise.all([
      a.decide({ requestId: request.id, acting: { actor: APPROVER, tenantId: TENANT }, approve: true }),
      b.decide({ requestId: request.id, acting: { actor: SECOND_APPROVER, tenantId: TENANT }, approve: true }),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(['decided', 'refused']);
    const entries = await audit.forRequest(request.id);
    expect(entries.filter(isDecision)).toHaveLength(1);
    expect(entries.filter((e) => e.action === 'approval.refused.stale')).toHaveLength(1);
    const winner = results.find((r) => r.kind === 'decided')!;
    expect(entries.find(isDecision)!.actor.objectId).toBe(winner.request.decision!.by.objectId);
    // Under the key a resume sweep's late entry uses too (decision-entry-net.ts): one entry, whoever writes first.
    expect(entries.find(isDecision)!.idempotencyKey).toBe(approvedEntryKey(request.id, winner.request.decision!));
  });

  test('G8: an approve/reject race through two services → one decision entry, matching the stored state', async () => {
    const { a, b, audit, store } = setup();
    const request = await createRequest(a);
    await Promise.all([
      a.decide({ requestId: request.id, acting: { actor: APPROVER, tenantId: TENANT }, approve: true }),
      b.decide({
        requestId: request.id,
        acting: { actor: SECOND_APPROVER, tenantId: TENANT },
        approve: false,
        reason: 'not this week',
      }),
    ]);
    const decisions = (await audit.forRequest(request.id)).filter(isDecision);
    expect(decisions).toHaveLength(1);
    const stored = (await store.get(request.id))!;
    expect(decisions[0].action).toBe(stored.state === 'approved' ? 'request.approved' : 'request.rejected');
  });

  test("G11: an approval whose entry landed but was reported failed is undone; the next approver's approval gets its own entry", async () => {
    const real = new MemoryAuditLog({ now: () => new Date() });
    let lost = false;
    const audit: AuditLog = Object.assign(Object.create(real) as AuditLog, {
      // As Azure Tables' "could not be written, nor read back" after its transaction applied.
      append: async (e: AuditEvent) => {
        const stored = await real.append(e);
        if (e.action === 'request.approved' && !lost) {
          lost = true;
          throw new Error('the audit entry could not be written, nor read back');
        }
        return stored;
      },
    });
    const { a, store } = setup(audit);
    const request = await createRequest(a);
    await expect(
      a.decide({ requestId: request.id, acting: { actor: APPROVER, tenantId: TENANT }, approve: true }),
    ).rejects.toThrow();
    expect((await store.get(request.id))!.state).toBe('pending');
    const second = await a.decide({
      requestId: request.id,
      acting: { actor: SECOND_APPROVER, tenantId: TENANT },
      approve: true,
      reason: 'ok by me',
    });
    expect(second.kind).toBe('decided');
    const approvals = (await real.forRequest(request.id)).filter((e) => e.action === 'request.approved');
    expect(approvals.map((e) => [e.actor.objectId, e.detail])).toContainEqual([SECOND_APPROVER.objectId, 'ok by me']);
  });

  test('G11: when the decision cannot be audited, the request is put back to pending and can be decided later', async () => {
    const real = new MemoryAuditLog({ now: () => new Date() });
    let failOn: ((e: AuditEvent) => boolean) | undefined;
    const audit: AuditLog = {
      append: (e) => (failOn?.(e) ? Promise.reject(new Error('disk full')) : real.append(e)),
      latest: (n) => real.latest(n),
      forRequest: (id) => real.forRequest(id),
      verify: () => real.verify(),
      entryAt: (seq) => real.entryAt(seq),
    };
    const logs = new LogCapture();
    const { a, store } = setup(audit, logs.logger());
    const request = await createRequest(a);
    failOn = isDecision;
    const refused = await a
      .decide({ requestId: request.id, acting: { actor: APPROVER, tenantId: TENANT }, approve: true })
      .then(
        () => undefined,
        (err: unknown) => err as Error,
      );
    expect(refused?.message).toMatch(/audit log could not be written/);
    // The user reads "nothing changed"; the operator gets the storage error behind it, once.
    expect((refused?.cause as Error | undefined)?.message).toBe('disk full');
    const logged = logs.entries().filter((l) => (l.err as { message?: string } | undefined)?.message === 'disk full');
    expect(logged).toEqual([
      expect.objectContaining({ msg: 'audit write failed; nothing changed', requestId: request.id }),
    ]);
    const after = (await store.get(request.id))!;
    expect(after.state).toBe('pending');
    expect(after.decision).toBeUndefined();
    expect((await real.forRequest(request.id)).filter(isDecision)).toHaveLength(0);
    failOn = undefined;
    const retry = await a.decide({
      requestId: request.id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve: true,
    });
    expect(retry.kind).toBe('decided');
    expect((await real.forRequest(request.id)).filter(isDecision)).toHaveLength(1);
  });
});
