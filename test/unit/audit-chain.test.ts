import { createHash } from 'node:crypto';
import {
  AUDIT_DETAIL_MAX,
  auditText,
  canonicalJson,
  chainEntry,
  GENESIS_HASH,
  hashEntry,
  IDEMPOTENCY_KEY_MAX,
  macOf,
  storedUnderKey,
  verifyChain,
  type AuditEntry,
  type AuditEvent,
} from '../../src/domain/audit-chain';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';

function chainOf(n: number): AuditEntry[] {
  const clock = new FakeClock();
  const entries: AuditEntry[] = [];
  for (let i = 1; i <= n; i++)
    entries.push(chainEntry(auditEvent(i), entries[entries.length - 1], clock.advance(SECOND)));
  return entries;
}

describe('canonicalJson', () => {
  test.each([
    [
      { b: 1, a: 2 },
      { a: 2, b: 1 },
    ],
    [{ outer: { z: [3, { y: 1, x: 2 }], a: null } }, { outer: { a: null, z: [3, { x: 2, y: 1 }] } }],
  ])('key order does not matter: %j', (a, b) => {
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  test.each<[unknown, string]>([
    [{ b: 1, a: 'x' }, '{"a":"x","b":1}'],
    [{ a: undefined, b: 2 }, '{"b":2}'],
    [[2, 1], '[2,1]'],
    [{ n: { d: true, c: [null] } }, '{"n":{"c":[null],"d":true}}'],
    ['a\nb', '"a\\nb"'],
    [null, 'null'],
    [42, '42'],
  ])('%j -> %s', (value, json) => {
    expect(canonicalJson(value)).toBe(json);
  });

  test('an undefined array element hashes as the null JSON stores, so a stored entry verifies', () => {
    expect(canonicalJson(['a', undefined, 'b'])).toBe(canonicalJson(JSON.parse(JSON.stringify(['a', undefined, 'b']))));
    const entry = chainEntry(
      { ...auditEvent(1), targetIds: ['x', undefined as unknown as string] },
      undefined,
      new Date('2026-12-02T00:00:00Z'),
    );
    expect(verifyChain([JSON.parse(JSON.stringify(entry)) as AuditEntry])).toEqual({ intact: true, count: 1 });
  });

  test('array order matters', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});

describe('chainEntry and hashEntry', () => {
  test('the first entry starts from the genesis hash; each links to the previous', () => {
    const [a, b, c] = chainOf(3);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(b.prevHash).toBe(a.hash);
    expect(c.prevHash).toBe(b.hash);
    expect(a.ts).toBe('2025-01-15T09:00:01.000Z');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('hash = sha256(prevHash ‖ canonicalJSON(entry without prevHash and hash))', () => {
    const [a] = chainOf(1);
    const { hash, prevHash, ...content } = a;
    expect(hash).toBe(
      createHash('sha256')
        .update(prevHash + canonicalJson(content))
        .digest('hex'),
    );
    expect(hashEntry({ ...content, prevHash })).toBe(hash);
  });

  test('the hash survives a JSON round trip and key reordering', () => {
    const [a] = chainOf(1);
    const reordered = Object.fromEntries(
      Object.entries(JSON.parse(JSON.stringify(a)) as AuditEntry).reverse(),
    ) as unknown as AuditEntry;
    expect(verifyChain([reordered])).toEqual({ intact: true, count: 1 });
  });

  test('detail has CR/LF escaped, not removed', () => {
    const entry = chainEntry(auditEvent(1, { detail: 'a\nFAKE AUDIT\r\nline' }), undefined, new Date());
    expect(entry.detail).toBe('a\\nFAKE AUDIT\\r\\nline');
    expect(entry.detail).not.toMatch(/[\r\n]/);
  });

  test.each<[string, Partial<AuditEvent>]>([
    ['every optional field', { correlationIds: ['x-1', 'x-2'], ruleId: 'r1', policyHash: 'ab'.repeat(40) }],
    ['no optional field', { requestId: undefined, detail: undefined, correlationIds: undefined }],
    ['odd runtime values', { tenantId: undefined as never, outcome: '', targetIds: [], detail: 'é "q" \\ \u2028' }],
    ['a rule without a policy hash', { ruleId: 7 as never }],
    ['an actor without a name', { actor: { objectId: 'o-1', name: undefined as never } }],
  ])(
    'chainEntry writes the entry the generic build would (%s): same keys in the same order, same hash and MAC',
    (_name, fields) => {
      const event = { ...auditEvent(3, fields), extra: 'not copied' } as AuditEvent;
      const previous = { seq: 2, hash: 'f'.repeat(64) };
      const ts = new Date('2025-01-15T09:00:00.000Z');
      const key = Buffer.from('k'.repeat(32));
      const entry = chainEntry(event, previous, ts, key);
      // The build before entryContentJson: copy, sort, hash with the generic canonicalJson.
      const partial = {
        actor: { objectId: event.actor.objectId, name: event.actor.name },
        tenantId: event.tenantId,
        action: event.action,
        requestId: event.requestId,
        targetIds: [...event.targetIds],
        outcome: event.outcome,
        correlationIds: event.correlationIds ? [...event.correlationIds] : undefined,
        detail: auditText(event.detail),
        ...(event.ruleId !== undefined && { ruleId: String(event.ruleId).slice(0, 64) }),
        ...(event.policyHash !== undefined && { policyHash: String(event.policyHash).slice(0, 64) }),
        seq: 3,
        ts: ts.toISOString(),
        prevHash: previous.hash,
      };
      const hash = hashEntry(partial);
      const expected = { ...partial, hash, mac: macOf(key, hash) };
      expect(Object.keys(entry)).toEqual(Object.keys(expected));
      expect(entry).toStrictEqual(expected);
      expect(JSON.stringify(entry)).toBe(JSON.stringify(expected));
    },
  );

  test('an event without detail keeps it undefined', () => {
    expect(chainEntry(auditEvent(1, { detail: undefined }), undefined, new Date()).detail).toBeUndefined();
  });
});

describe('auditText', () => {
  test.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ['', ''],
    ['plain', 'plain'],
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['\n\n', '\\n\\n'],
  ])('%j -> %j', (input, output) => {
    expect(auditText(input)).toBe(output);
  });

  test.each([
    [AUDIT_DETAIL_MAX, false],
    [AUDIT_DETAIL_MAX + 1, true],
    [10_000, true],
  ])('length %i bounded to %i (truncated=%s)', (length, truncated) => {
    const out = auditText('x'.repeat(length))!;
    expect(out.length).toBe(Math.min(length, AUDIT_DETAIL_MAX));
    expect(out.endsWith('…')).toBe(truncated);
  });

  test.each([0, 1])('an emoji at the cut (offset %i) is kept whole or left out, never halved', (offset) => {
    const out = auditText(`${'x'.repeat(AUDIT_DETAIL_MAX - 2 - offset)}${'\u{1F680}'.repeat(5)}`)!;
    expect(out.endsWith('…')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(AUDIT_DETAIL_MAX);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  test('escaping counts towards the bound', () => {
    const out = auditText('\n'.repeat(400))!;
    expect(out.length).toBe(AUDIT_DETAIL_MAX);
    expect(out).not.toContain('\n');
  });
});

describe('verifyChain', () => {
  test('an intact chain of 3', () => {
    expect(verifyChain(chainOf(3))).toEqual({ intact: true, count: 3 });
  });

  test('an empty chain is intact', () => {
    expect(verifyChain([])).toEqual({ intact: true, count: 0 });
  });

  test.each<[string, (e: AuditEntry) => AuditEntry]>([
    ['outcome', (e) => ({ ...e, outcome: 'granted' })],
    ['actor', (e) => ({ ...e, actor: { ...e.actor, objectId: 'someone-else' } })],
    ['detail', (e) => ({ ...e, detail: 'rewritten' })],
    ['targetIds', (e) => ({ ...e, targetIds: [] })],
    ['ts', (e) => ({ ...e, ts: '2020-01-01T00:00:00.000Z' })],
    ['an added field', (e) => ({ ...e, extra: 1 }) as AuditEntry],
  ])('mutating the middle entry (%s) breaks at seq 2', (_name, mutate) => {
    const entries = chainOf(3);
    entries[1] = mutate(entries[1]);
    const verdict = verifyChain(entries);
    expect(verdict).toMatchObject({ intact: false });
    if (verdict.intact) throw new Error('unreachable');
    expect(verdict.brokenAtSeq).toBe(2);
    expect(verdict.problem).toBe('content does not match its hash (the entry was modified)');
  });

  test('mutating the middle entry and recomputing its hash breaks the next link (seq 3)', () => {
    const entries = chainOf(3);
    const { hash: _old, ...rest } = { ...entries[1], outcome: 'granted' };
    entries[1] = { ...rest, hash: hashEntry(rest) };
    expect(verifyChain(entries)).toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 3,
      problem: 'prevHash does not match the previous entry',
    });
  });

  test('deleting the middle entry is a seq gap at 3', () => {
    const [a, , c] = chainOf(3);
    expect(verifyChain([a, c])).toEqual({
      intact: false,
      count: 2,
      brokenAtSeq: 3,
      problem: 'expected seq 2, found 3 (an entry was deleted, inserted or reordered)',
    });
  });

  test('deleting the first entry is a gap at 2', () => {
    const [, b, c] = chainOf(3);
    expect(verifyChain([b, c])).toMatchObject({ intact: false, brokenAtSeq: 2 });
  });

  test('reordering is detected', () => {
    const [a, b, c] = chainOf(3);
    expect(verifyChain([a, c, b])).toMatchObject({ intact: false, brokenAtSeq: 3 });
  });

  test('inserting a well-formed entry in the middle is detected', () => {
    const [a, b, c] = chainOf(3);
    const forged = chainEntry(auditEvent(99), a, new Date('2025-01-15T09:00:01.500Z'));
    expect(verifyChain([a, forged, b, c])).toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 2,
      problem: 'expected seq 3, found 2 (an entry was deleted, inserted or reordered)',
    });
  });

  test('inserting and renumbering the successors is detected at the first successor', () => {
    const [a, b, c] = chainOf(3);
    const forged = chainEntry(auditEvent(99), a, new Date('2025-01-15T09:00:01.500Z'));
    expect(verifyChain([a, forged, { ...b, seq: 3 }, { ...c, seq: 4 }])).toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 3,
      problem: 'prevHash does not match the previous entry',
    });
  });

  test('renumbering after a deletion still breaks at the prevHash link', () => {
    const [a, , c] = chainOf(3);
    expect(verifyChain([a, { ...c, seq: 2 }])).toMatchObject({ intact: false, brokenAtSeq: 2 });
  });

  test('deleting the tail leaves a shorter chain: count drops from 3 to 2', () => {
    const entries = chainOf(3);
    const verdict = verifyChain(entries.slice(0, 2));
    expect(verdict.count).toBe(2);
    expect(verdict.count).toBeLessThan(verifyChain(entries).count);
  });

  // G11: "Drop the tail -> a seq or checkpoint gap is detected." verifyChain has no
  // checkpoint (expected head/count) input, so a truncated log verifies as intact.
  test('deleting the tail is reported as broken (G11: checkpoint gap)', () => {
    const full = chainOf(3);
    const head = { seq: full[2].seq, hash: full[2].hash };
    expect(verifyChain(full.slice(0, 2), head)).toMatchObject({ intact: false, brokenAtSeq: 3 });
    expect(verifyChain(full, head).intact).toBe(true);
  });

  test('a head behind the entries, or naming another newest entry, is reported at the seq where they part, with its cause', () => {
    const full = chainOf(3);
    expect(verifyChain(full, { seq: 1, hash: full[0].hash })).toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 2,
      problem:
        'the log goes on to seq 3 past its recorded head, seq 1 (entries were added without moving the head, or the head was rolled back)',
    });
    expect(verifyChain(full, { seq: 3, hash: full[1].hash })).toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 3,
      problem: 'the newest entry, seq 3, is not the one the recorded head names (the entry or the head was replaced)',
    });
    expect(verifyChain(full.slice(0, 2), { seq: 3, hash: full[2].hash })).toMatchObject({
      brokenAtSeq: 3,
      problem: 'the log ends at seq 2 but the recorded head is seq 3 (entries were deleted from the end)',
    });
  });

  test('verifies 10k entries from a generator', () => {
    const clock = new FakeClock();
    function* gen(): Generator<AuditEntry> {
      let prev: AuditEntry | undefined;
      for (let i = 1; i <= 10_000; i++) {
        prev = chainEntry(auditEvent(i), prev, clock.advance(1));
        yield prev;
      }
    }
    expect(verifyChain(gen())).toEqual({ intact: true, count: 10_000 });
  });
});

describe('idempotency keys in the chain', () => {
  const previous = { seq: 4, hash: 'a'.repeat(64) };
  const ts = new Date('2025-01-15T09:00:00.000Z');
  const key = Buffer.from('k'.repeat(32));
  const event: AuditEvent = {
    actor: { objectId: 'o-1', name: 'Riley' },
    tenantId: 't-1',
    action: 'request.succeeded',
    requestId: 'R-AAAAAAAA',
    targetIds: ['c', 'r'],
    outcome: 'succeeded',
    detail: 'done',
    correlationIds: ['x-1'],
  };

  test('an entry without a key hashes and MACs exactly as before keys existed (values computed by the code before them)', () => {
    const entry = chainEntry(event, previous, ts, key);
    expect('idempotencyKey' in entry).toBe(false);
    expect(entry.hash).toBe('ee3e4ef7893aa5cbacc3d863652bb03d6a3bce08fd0651316e5d695c38e12f6b');
    expect(entry.mac).toBe('59e9317801c883757ec36c8e5ebbbd4deb14f6ed51c6458d6594ee3f27eec667');
  });

  test('a key is part of the hashed entry: verified like any field, and changing it breaks the chain', () => {
    const entry = chainEntry({ ...event, idempotencyKey: 'audit.retry:k-1' }, undefined, ts, key);
    expect(entry.idempotencyKey).toBe('audit.retry:k-1');
    const { hash, ...rest } = entry;
    expect(hashEntry(rest)).toBe(hash);
    expect(hash).not.toBe(chainEntry(event, undefined, ts, key).hash);
    const stored = JSON.parse(JSON.stringify(entry)) as AuditEntry;
    expect(verifyChain([stored], { seq: 1, hash }, key)).toEqual({ intact: true, count: 1 });
    expect(verifyChain([{ ...stored, idempotencyKey: 'audit.retry:other' }], undefined, key)).toMatchObject({
      intact: false,
      brokenAtSeq: 1,
      problem: 'content does not match its hash (the entry was modified)',
    });
  });

  test('verify names the second entry carrying a key already used (the index was removed and the event appended again)', () => {
    const clock = new FakeClock();
    const a = chainEntry(auditEvent(1, { idempotencyKey: 'k-1' }), undefined, clock.advance(SECOND), key);
    const b = chainEntry(auditEvent(2, { idempotencyKey: 'k-2' }), a, clock.advance(SECOND), key);
    const c = chainEntry(auditEvent(1, { idempotencyKey: 'k-1' }), b, clock.advance(SECOND), key);
    expect(verifyChain([a, b], undefined, key)).toEqual({ intact: true, count: 2 });
    expect(verifyChain([a, b, c], { seq: 3, hash: c.hash }, key)).toEqual({
      intact: false,
      count: 3,
      brokenAtSeq: 3,
      problem:
        "the entry repeats the idempotency key of seq 1 (acrbot appends an event under its key once: the store's index of that key was removed and the event written again)",
    });
  });

  test.each([[''], ['x'.repeat(IDEMPOTENCY_KEY_MAX + 1)], [42 as unknown as string]])(
    'a key no store could index is refused, not cut (%j)',
    (bad) => {
      expect(() => chainEntry({ ...event, idempotencyKey: bad }, undefined, ts)).toThrow(/idempotency key is a string/);
    },
  );

  test('an entry an index names for a key must carry that key', () => {
    const entry = chainEntry({ ...event, idempotencyKey: 'k-1' }, undefined, ts);
    expect(storedUnderKey(entry, 'k-1')).toBe(entry);
    expect(() => storedUnderKey(entry, 'k-2')).toThrow(/does not carry it/);
    expect(() => storedUnderKey(chainEntry(event, undefined, ts), 'k-1')).toThrow(/does not carry it/);
    expect(() => storedUnderKey(undefined, 'k-1')).toThrow(/does not carry it/);
  });
});
