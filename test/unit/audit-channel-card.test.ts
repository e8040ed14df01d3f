/**
 * A request's audit channel card: whose request it is, the chain head of the moment, the newest
 * 30 entries of many, and repeated refused clicks as one counted line so they cannot push the
 * history off the card; its state labelled as the request card labels it. Written to kill mutants
 * that survived mutation testing.
 */
import { syncAuditCard } from '../../src/bot/audit-card-sync';
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { cardTexts } from '../helpers/capturing-connector';
import { addCopy } from './support/card-copies';
import { FakeClock } from './support/fake-clock';
import { APPROVER, auditEvent, OUTSIDER, pendingRequest } from './support/requests';

/** The audit card posted for a request whose trail holds `events`, as its lines. */
async function auditCardOf(events: Array<Partial<AuditEvent>>, request = pendingRequest()): Promise<string[]> {
  const clock = new FakeClock(new Date('2025-01-15T10:00:00.000Z'));
  const log = new MemoryAuditLog(clock);
  const store = new MemoryRequestStore();
  await store.create(request);
  await addCopy(store, request.id, 'act-1', 'requester', 'a:riley');
  for (const [i, e] of events.entries())
    await log.append(auditEvent(i, { requestId: request.id, tenantId: request.tenantId, ...e }));
  const sent: unknown[] = [];
  await syncAuditCard(
    {
      store,
      log: createLogger({ level: 'silent' }),
      audit: { log, channelId: '19:audit@thread.tacv2' },
      outbox: { replace: (_c: string, _k: string, _v: number, write: () => Promise<void>) => write() } as never,
      send: async (_ref, card) => {
        sent.push(card);
        return 'audit-1';
      },
      inConversation: async () => undefined,
    },
    request,
  );
  expect(sent).toHaveLength(1);
  return cardTexts(sent[0]);
}

test('the subtitle names the requester and the pair', async () => {
  expect(await auditCardOf([{}])).toContain('Riley Requester: aks-prod → contosoacr');
});

test('the chain head at the time of the update is on the card', async () => {
  const lines = await auditCardOf([{}, {}, {}]);
  expect(lines.some((l) => l.startsWith('Chain head: #3 · hash '))).toBe(true);
});

test('of more than 30 entries, the newest 30 are shown', async () => {
  const lines = (await auditCardOf(Array.from({ length: 35 }, (_, i) => ({ detail: `step ${i}` })))).join('\n');
  expect(lines).toContain('step 34');
  expect(lines).toContain('step 5');
  expect(lines).not.toMatch(/step [0-4]\n/);
});

test('40 refused clicks are one counted line: the history before them stays on the card', async () => {
  const refused = Array.from({ length: 40 }, (_, i) => ({
    action: 'approval.refused.notApprover',
    outcome: 'refused' as const,
    actor: i % 2 ? APPROVER : OUTSIDER,
    detail: 'not an approver',
  }));
  const lines = (await auditCardOf([{ detail: 'first step' }, ...refused])).join('\n');
  expect(lines).toContain('first step');
  expect(lines).toContain('40 refused clicks');
});

test('an extension closed with the access it extends is "Closed", as its card labels it; one that timed out "Expired"', async () => {
  const extension = (extra: Partial<AccessRequest>) =>
    pendingRequest({
      state: 'expired',
      extendsRequestId: 'R-ORIGINA1',
      updatedAt: '2025-01-15T10:00:00.000Z',
      ...extra,
    });
  for (const closed of [{ originalEnded: true as const }, { originalDrifted: true as const }])
    expect(await auditCardOf([{}], extension(closed))).toContain('R-7K2M9QXA · grant · Closed');
  expect(await auditCardOf([{}], extension({ originalWentOn: true }))).toContain('R-7K2M9QXA · grant · Expired');
});

test('a live grant whose cluster is gone is "Cluster gone", as its request card badges it; drift-marked, its drift badge; revoked, its own label', async () => {
  const access = { durationMs: 86_400_000, expiresAt: '2025-02-14T10:00:00.000Z' };
  const grant = (extra: Partial<NonNullable<AccessRequest['access']>>, state: AccessRequest['state'] = 'succeeded') =>
    pendingRequest({ state, access: { ...access, clusterGoneAt: '2025-01-15T09:00:00.000Z', ...extra } });
  expect(await auditCardOf([{}], grant({}))).toContain('R-7K2M9QXA · grant · Cluster gone');
  expect(await auditCardOf([{}], pendingRequest({ state: 'succeeded', access }))).toContain(
    'R-7K2M9QXA · grant · Granted',
  );
  // Drift-marked, it gives nothing either: badged as `access` and its request card badge it, not "Granted".
  const drifted = grant({ driftDetectedAt: '2025-01-15T09:00:00.000Z', driftReason: 'deleted' });
  expect(await auditCardOf([{}], drifted)).toContain('R-7K2M9QXA · grant · Removed outside acrbot');
  const intact = grant({ driftDetectedAt: '2025-01-15T09:00:00.000Z', driftReason: 'modeChanged' });
  expect(await auditCardOf([{}], intact)).toContain('R-7K2M9QXA · grant · No longer gives pull');
  const revoked = grant({ revokedAt: '2025-01-15T09:30:00.000Z' }, 'revoked');
  expect(await auditCardOf([{}], revoked)).toContain('R-7K2M9QXA · grant · Revoked');
});
