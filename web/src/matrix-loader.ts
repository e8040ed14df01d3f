/**
 * Loads the access matrix page by page (`/api/tab/matrix?offset=&limit=`): a large tenant's
 * matrix arrives in bounded answers instead of one huge one. When what the matrix shows changed
 * between pages (`generatedAt`, the snapshot's name, differs), the load starts again, at most
 * twice; rows are de-duplicated by key either way. When the last try still changed between pages,
 * or fewer rows arrived than the API counted (`total`), the matrix says that entries may be
 * missing (`incomplete`, shown above the grid) instead of passing for the whole.
 */
import { api, type TokenSource } from './api';
import { byName } from './name-order';
import type { MatrixData, MatrixPage } from './types';

/** How many times a load is tried in all while the matrix changes between its pages. */
export const MATRIX_LOAD_TRIES = 3;

/** Every row of the matrix, with the axes of the first page. */
export async function loadMatrix(host: TokenSource): Promise<MatrixData> {
  for (let attempt = 1; ; attempt++) {
    const first = await api<MatrixPage>(host, '/matrix?offset=0');
    const rows = new Map(first.rows.map((r) => [r.key, r]));
    let next = first.nextOffset;
    let consistent = true;
    let total = first.total;
    while (next !== undefined) {
      const page = await api<MatrixPage>(host, `/matrix?offset=${next}`);
      if (page.generatedAt !== first.generatedAt) consistent = false;
      for (const r of page.rows) rows.set(r.key, r);
      if (typeof page.total === 'number') total = Math.max(total ?? 0, page.total);
      next = page.nextOffset;
    }
    if (consistent || attempt >= MATRIX_LOAD_TRIES) {
      const missing = matrixGaps(consistent, rows.size, total);
      const incomplete = [first.incomplete, missing].filter(Boolean).join(' ');
      return {
        // In the user's language (name-order.ts): the API sorts in the server's, knowing no other.
        clusters: byName(first.clusters),
        registries: byName(first.registries),
        unresolvedClusters: first.unresolvedClusters,
        ...(incomplete && { incomplete }),
        generatedAt: first.generatedAt,
        rows: [...rows.values()],
      };
    }
  }
}

/** What the page says when a load may lack entries, or undefined when it has them all. */
function matrixGaps(consistent: boolean, loaded: number, total: number | undefined): string | undefined {
  if (!consistent)
    return `The matrix kept changing while it loaded (${MATRIX_LOAD_TRIES} tries), so entries may be missing or out of date here; reload the page to see them all.`;
  if (typeof total === 'number' && loaded < total)
    return `Only ${loaded} of the ${total} entries arrived, so some are missing here; reload the page to see them all.`;
  return undefined;
}
