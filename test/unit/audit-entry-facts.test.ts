/**
 * An audit entry's `facts` (what a later step reads back, never parsed from the detail's words)
 * are part of the hash chain like every other field: written as the generic build hashes them,
 * verified, and a change to them breaks the chain. An entry without them hashes as before they
 * existed, so logs written before verify unchanged.
 */
import {
  auditText,
  type AuditEntry,
  type AuditEvent,
  chainEntry,
  GENESIS_HASH,
  hashEntry,
  macOf,
  verifyChain,
} from '../../src/domain/audit-chain';
import { auditEvent } from './support/requests';

const ts = new Date('2025-01-15T09:00:00.000Z');
const key = Buffer.from('k'.repeat(32));

/** The entry as built before `facts` existed: the known fields copied, hashed generically. */
function generic(event: AuditEvent, extra: Record<string, unknown> = {}) {
  const partial = {
    actor: { objectId: event.actor.objectId, name: event.actor.name },
    tenantId: event.tenantId,
    action: event.action,
    requestId: event.requestId,
    targetIds: [...event.targetIds],
    outcome: event.outcome,
    correlationIds: event.correlationIds ? [...event.correlationIds] : undefined,
    detail: auditText(event.detail),
    ...extra,
    seq: 1,
    ts: ts.toISOString(),
    prevHash: GENESIS_HASH,
  };
  const hash = hashEntry(partial);
  return { ...partial, hash, mac: macOf(key, hash) };
}

test('facts are copied, hashed as the generic build hashes them, and verify', () => {
  const event = auditEvent(1, {
    idempotencyKey: 'k-1',
    facts: { deleted: ['/subscriptions/s1/tokens/acrbot-r-7'], other: [] },
  });
  const entry = chainEntry(event, undefined, ts, key);
  const expected = generic(event, { idempotencyKey: 'k-1', facts: event.facts });
  expect(entry).toStrictEqual(expected);
  expect(JSON.stringify(entry)).toBe(JSON.stringify(expected));
  // A copy: the caller's lists changed after the append do not change the entry.
  event.facts!.deleted.push('later');
  expect(entry.facts).toEqual({ deleted: ['/subscriptions/s1/tokens/acrbot-r-7'], other: [] });
  expect(verifyChain([entry], undefined, key).intact).toBe(true);
});

test('an entry whose facts were changed, added or taken out breaks the chain', () => {
  const entry = chainEntry(auditEvent(1, { facts: { deleted: ['a'] } }), undefined, ts, key);
  const changed: AuditEntry[] = [
    { ...entry, facts: { deleted: ['b'] } },
    { ...entry, facts: { deleted: [] } },
    (({ facts: _f, ...rest }) => rest)(entry),
  ];
  for (const e of changed) expect(verifyChain([e], undefined, key)).toMatchObject({ intact: false, brokenAtSeq: 1 });
  const without = chainEntry(auditEvent(1), undefined, ts, key);
  expect(verifyChain([{ ...without, facts: { deleted: ['a'] } }], undefined, key).intact).toBe(false);
});

test('an entry without facts has no facts key and hashes as before they existed', () => {
  const event = auditEvent(1);
  const entry = chainEntry(event, undefined, ts, key);
  expect('facts' in entry).toBe(false);
  expect(entry).toStrictEqual(generic(event));
  // An entry stored before: no facts, verified as it was written.
  expect(verifyChain([generic(event) as AuditEntry], undefined, key).intact).toBe(true);
});

test('fact values are normalised as the detail is: line breaks escaped', () => {
  const entry = chainEntry(auditEvent(1, { facts: { deleted: ['a\nb'] } }), undefined, ts);
  expect(entry.facts).toEqual({ deleted: ['a\\nb'] });
});
