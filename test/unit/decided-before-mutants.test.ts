/**
 * The edges of what a new request records of the decisions against its pair
 * (flows/decided-before.ts `decidedOnPair`) and how its approvers' card says them
 * (views/decided-before-line.ts), each pinned where a mutation test found it unchecked: the
 * read's depth, the window's ends, the comment's cut and its line, whose revocation counts, and
 * the words of a decision made without a comment or by a person whose name looks like a link.
 */
import type { RequestStore } from '../../src/domain/ports';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { decidedOnPair } from '../../src/flows/decided-before';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { decidedBeforeLine } from '../../src/views/decided-before-line';
import { DAY, SAM, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, pendingRequest, REQUESTER, secretPlan } from './support/requests';
import { HOUR, MINUTE } from './support/fake-clock';

const NOW = new Date('2026-11-30T09:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** A request of the pair rejected by `by` at `at` (created an hour before), with `reason`. */
function rejected(id: string, at: string, reason?: string, by: Actor = APPROVER): AccessRequest {
  return pendingRequest({
    id,
    state: 'rejected',
    createdAt: new Date(Date.parse(at) - HOUR).toISOString(),
    updatedAt: at,
    decision: { by, at, approved: false, ...(reason !== undefined && { reason }) },
  });
}

/** A request of the pair whose access `by` revoked at `revokedAt`, with `extra` over it. */
function revoked(id: string, by: Actor | undefined, revokedAt: string, extra: Partial<AccessRequest> = {}) {
  return pendingRequest({
    id,
    state: 'revoked',
    createdAt: new Date(Date.parse(revokedAt) - DAY).toISOString(),
    updatedAt: revokedAt,
    access: { durationMs: DAY, revokedAt, ...(by && { revokedBy: by, revokeReason: 'incident INC-9' }) },
    ...extra,
  });
}

const stores: Array<[string, () => RequestStore]> = [
  ['memory', () => new MemoryRequestStore()],
  ['SQLite', () => new SqliteRequestStore(openSqlite(':memory:'))],
];

describe.each(stores)('decidedOnPair at its edges (%s store)', (_name, makeStore) => {
  let store: RequestStore;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(() => store.close());

  const read = () => decidedOnPair(store, grantPlan(), TENANT, NOW);

  test("a rejection behind 49 of the pair's grants acrbot ended since is still read (the read takes 50)", async () => {
    await store.create(rejected('R-REJECT01', ago(10 * DAY), 'not this week'));
    for (let n = 0; n < 49; n++) {
      const at = ago(9 * DAY - n * MINUTE);
      await store.create(revoked(`R-ENDED${String(n).padStart(3, '0')}`, undefined, at, { createdAt: at }));
    }
    expect((await read()).map((d) => d.requestId)).toEqual(['R-REJECT01']);
  });

  test('the window holds its far end: a decision exactly 30 days before now counts', async () => {
    await store.create(rejected('R-REJECT02', ago(30 * DAY)));
    expect((await read()).map((d) => d.requestId)).toEqual(['R-REJECT02']);
  });

  test('a decision stamped after now (a clock ahead) is not counted', async () => {
    await store.create(rejected('R-REJECT03', new Date(NOW.getTime() + MINUTE).toISOString()));
    await store.create(rejected('R-REJECT04', ago(MINUTE)));
    expect((await read()).map((d) => d.requestId)).toEqual(['R-REJECT04']);
  });

  test('a comment of exactly 120 characters is kept whole; one of 121 is cut with an ellipsis', async () => {
    const exact = 'x'.repeat(120);
    await store.create(rejected('R-REJECT05', ago(HOUR), exact));
    await store.create(rejected('R-REJECT06', ago(2 * HOUR), `${'y'.repeat(120)}z`));
    const [a, b] = await read();
    expect(a!.text).toBe(exact);
    expect(b!.text).toBe(`${'y'.repeat(120)}…`);
  });

  test('the cut counts characters, not UTF-16 units: 130 emoji keep 120 of them', async () => {
    await store.create(rejected('R-REJECT07', ago(HOUR), '😀'.repeat(130)));
    const [d] = await read();
    expect(Array.from(d!.text!)).toHaveLength(121);
    expect(d!.text).toBe(`${'😀'.repeat(120)}…`);
  });

  test('a comment written on several lines is recorded on one', async () => {
    await store.create(rejected('R-REJECT08', ago(HOUR), 'not now\nask after\r\nthe freeze'));
    expect((await read())[0]!.text).toBe('not now ask after the freeze');
  });

  test('a rejection without a comment (or with a blank one) records no text at all', async () => {
    await store.create(rejected('R-REJECT09', ago(HOUR)));
    await store.create(rejected('R-REJECT10', ago(2 * HOUR), ' \n '));
    const found = await read();
    expect(found.map((d) => d.requestId)).toEqual(['R-REJECT09', 'R-REJECT10']);
    for (const d of found) expect(Object.keys(d)).not.toContain('text');
  });

  test("the requester's own revocation is theirs however Teams cased their object id", async () => {
    const requesterUpper: Actor = { ...REQUESTER, objectId: REQUESTER.objectId.toUpperCase() };
    await store.create(revoked('R-OWNREV01', requesterUpper, ago(HOUR)));
    expect(await read()).toEqual([]);
  });

  test("a revoked pull secret says its namespace, and the revocation's time, not the record's last update", async () => {
    const at = ago(3 * HOUR);
    await store.create(
      revoked('R-SECREV01', SAM, at, { plan: secretPlan({ namespace: 'team-c' }), updatedAt: ago(HOUR) }),
    );
    expect(await read()).toEqual([
      { requestId: 'R-SECREV01', how: 'revoked', by: SAM, at, text: 'incident INC-9', secretNamespace: 'team-c' },
    ]);
  });
});

describe('the Before line, at its edges', () => {
  test('a decision without a comment is said without one', () => {
    const request = pendingRequest({
      decidedBefore: [{ requestId: 'R-REJECT22', how: 'rejected', by: APPROVER, at: '2025-01-15T08:40:00.000Z' }],
    });
    expect(decidedBeforeLine(request)).toBe('R-REJECT22 rejected by Alex Approver on 2025-01-15 08:40 UTC');
  });

  test('a name that looks like a link is made inert, as the comment is', () => {
    const request = pendingRequest({
      decidedBefore: [
        {
          requestId: 'R-REVOKE33',
          how: 'revoked',
          by: { objectId: SAM.objectId, name: 'see https://evil.example' },
          at: '2025-01-10T17:05:00.000Z',
        },
      ],
    });
    const line = decidedBeforeLine(request)!;
    expect(line).not.toContain('https://');
    expect(line).toContain('by see https:\u200b//evil.example on');
  });
});
