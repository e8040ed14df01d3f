import { KnownRows } from '../../src/integrations/store/known-rows';

describe('KnownRows', () => {
  it('keeps the newest row of a key with its ETag, and forgets a key whose write left no ETag', () => {
    const rows = new KnownRows<{ version: number; etag: string }>();
    rows.remember('R-1', { version: 1 }, '"e1"');
    rows.remember('R-1', { version: 2 }, '"e2"');
    expect(rows.get('R-1')).toEqual({ version: 2, etag: '"e2"' });
    rows.remember('R-1', { version: 3 }, undefined);
    expect(rows.get('R-1')).toBeUndefined();
    rows.remember('R-2', { version: 1 }, '"e"');
    rows.forget('R-2');
    expect(rows.size).toBe(0);
  });

  it('holds at most its limit, forgetting the row remembered longest ago first', () => {
    const rows = new KnownRows<{ n: number; etag: string }>(2);
    rows.remember('a', { n: 1 }, '"a"');
    rows.remember('b', { n: 1 }, '"b"');
    rows.remember('a', { n: 2 }, '"a2"'); // a is now the newest
    rows.remember('c', { n: 1 }, '"c"');
    expect(rows.size).toBe(2);
    expect(rows.get('b')).toBeUndefined();
    expect(rows.get('a')).toEqual({ n: 2, etag: '"a2"' });
    expect(rows.get('c')).toEqual({ n: 1, etag: '"c"' });
  });
});
