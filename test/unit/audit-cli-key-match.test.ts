/**
 * keyMatch: whether a key found by location signed anything in the log. "No MACs at all"
 * (`no-macs`: nothing to tell about the key) is a different answer from "MACs, none under this
 * key" (`no-mac-matches`: the key is not the log's), which verify treats as a foreign key.
 */
import { keyMatch, parsedRows } from '../../src/audit-cli/key-match';
import { macOf } from '../../src/domain/audit-chain';

const KEY = Buffer.alloc(32, 1);
const OTHER = Buffer.alloc(32, 2);

const signed = (hash: string, key: Buffer) => ({ seq: 1, hash, mac: macOf(key, hash) });

async function* asyncOf<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('keyMatch', () => {
  test('no entry carries a MAC: no-macs, also for an empty log and for entries that are no entries', async () => {
    expect(await keyMatch([], KEY)).toBe('no-macs');
    expect(
      await keyMatch(
        [
          { seq: 1, hash: 'a' },
          { seq: 2, hash: 'b' },
        ],
        KEY,
      ),
    ).toBe('no-macs');
    // A MAC needs its hash to say anything: half an entry, a non-string, null, a number signs nothing.
    expect(
      await keyMatch([null, 42, 'x', { mac: macOf(KEY, 'a') }, { hash: 'a', mac: 7 }, { hash: 1, mac: 'm' }], KEY),
    ).toBe('no-macs');
  });

  test('MACs present, none under the key: no-mac-matches, not no-macs', async () => {
    expect(await keyMatch([signed('a', OTHER), signed('b', OTHER)], KEY)).toBe('no-mac-matches');
    // One signed entry among unsigned ones is enough to say the log was signed.
    expect(await keyMatch([{ seq: 1, hash: 'a' }, null, signed('b', OTHER)], KEY)).toBe('no-mac-matches');
  });

  test('one MAC under the key is enough: matches, wherever it stands, from an async source too', async () => {
    expect(await keyMatch([signed('a', OTHER), signed('b', KEY)], KEY)).toBe('matches');
    expect(await keyMatch(asyncOf([signed('a', KEY), signed('b', OTHER)]), KEY)).toBe('matches');
    expect(await keyMatch(asyncOf([{ seq: 1, hash: 'a' }]), KEY)).toBe('no-macs');
    // A MAC of another hash under the key is no match.
    expect(await keyMatch([{ seq: 1, hash: 'a', mac: macOf(KEY, 'b') }], KEY)).toBe('no-mac-matches');
  });

  test('parsedRows yields the rows that parse and skips the rest', () => {
    const rows = [{ entry: '{"seq":1}' }, { entry: 'not json' }, { entry: 'null' }];
    expect([...parsedRows(rows)]).toEqual([{ seq: 1 }, null]);
  });
});
