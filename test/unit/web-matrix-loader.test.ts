/**
 * The matrix loaded page by page says when entries may be missing: after the last try the
 * matrix still changed between pages, or fewer rows arrived than the API counted (`total`).
 * And a server message naming its correlation id does not get it twice.
 */
import { failureMessage } from '../../web/src/api';
import { loadMatrix, MATRIX_LOAD_TRIES } from '../../web/src/matrix-loader';
import type { Row } from '../../web/src/types';

const host = { token: async () => 't' };

const row = (key: string): Row => ({
  key,
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role',
  state: 'active',
  cluster: { id: '/c', name: 'c', subscriptionId: 's' },
  registry: { id: '/r', name: 'r' },
  approvers: [],
});

interface Page {
  rows: Row[];
  total: number;
  generatedAt: string;
  nextOffset?: number;
  incomplete?: string;
}

/** Serves the matrix: `answer(offset, call)` is the page for `?offset=`. Returns the offsets asked for. */
function serve(answer: (offset: number, call: number) => Page): number[] {
  const asked: number[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const offset = Number(new URL(String(input), 'http://tab').searchParams.get('offset'));
    asked.push(offset);
    const page = answer(offset, asked.length);
    return new Response(JSON.stringify({ clusters: [], registries: [], unresolvedClusters: [], offset, ...page }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  return asked;
}

afterEach(() => jest.restoreAllMocks());

describe('loading the matrix page by page', () => {
  test('a consistent load of every row says nothing is missing', async () => {
    serve((offset) =>
      offset === 0
        ? { rows: [row('a'), row('b')], total: 3, generatedAt: 'g1', nextOffset: 2 }
        : { rows: [row('c')], total: 3, generatedAt: 'g1' },
    );
    const data = await loadMatrix(host);
    expect(data.rows.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(data.incomplete).toBeUndefined();
  });

  test('a matrix that changes between pages at every try says entries may be missing', async () => {
    // Every second page is of another snapshot, whose rows moved: "b" is never seen.
    const asked = serve((offset, call) =>
      offset === 0
        ? { rows: [row('a')], total: 3, generatedAt: `g${call}`, nextOffset: 1 }
        : { rows: [row('c')], total: 3, generatedAt: `g${call}` },
    );
    const data = await loadMatrix(host);
    expect(asked).toHaveLength(2 * MATRIX_LOAD_TRIES);
    expect(data.rows.map((r) => r.key)).toEqual(['a', 'c']);
    expect(data.incomplete).toBe(
      'The matrix kept changing while it loaded (3 tries), so entries may be missing or out of date here; reload the page to see them all.',
    );
  });

  test('fewer rows than the API counted says so, after what the server said is missing', async () => {
    serve((offset) =>
      offset === 0
        ? {
            rows: [row('a'), row('b')],
            total: 4,
            generatedAt: 'g1',
            nextOffset: 2,
            incomplete: 'Requests were read in part.',
          }
        : { rows: [row('b')], total: 4, generatedAt: 'g1' },
    );
    const data = await loadMatrix(host);
    expect(data.incomplete).toBe(
      'Requests were read in part. Only 2 of the 4 entries arrived, so some are missing here; reload the page to see them all.',
    );
  });

  test('a change between pages that settles on the next try loads without a note', async () => {
    serve((offset, call) =>
      offset === 0
        ? { rows: [row('a')], total: 2, generatedAt: 'g2', nextOffset: 1 }
        : { rows: [row('b')], total: 2, generatedAt: call === 2 ? 'g3' : 'g2' },
    );
    const data = await loadMatrix(host);
    expect(data.incomplete).toBeUndefined();
    expect(data.rows.map((r) => r.key)).toEqual(['a', 'b']);
  });
});

describe('a failed call', () => {
  test('names its correlation id once', () => {
    expect(failureMessage(500, { message: 'Something went wrong (correlation id c-1).', correlationId: 'c-1' })).toBe(
      'Something went wrong (correlation id c-1).',
    );
    expect(failureMessage(409, { message: 'Already being revoked.', correlationId: 'c-2' })).toBe(
      'Already being revoked. (reference c-2)',
    );
    expect(failureMessage(502, {})).toBe('The server answered 502.');
  });
});
