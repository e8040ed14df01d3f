/**
 * Loads the access matrix page by page (`/api/tab/matrix?offset=&limit=`): a large tenant's
 * matrix arrives in bounded answers instead of one huge one. When what the matrix shows changed
 * between pages (`generatedAt`, the snapshot's name, differs), the load starts again, at most
 * twice; rows are de-duplicated by key either way.
 */
import { api } from './api';
import type { Host } from './host';
import type { MatrixData } from './types';

interface MatrixPage extends MatrixData {
  total: number;
  offset: number;
  nextOffset?: number;
}

/** Every row of the matrix, with the axes of the first page. */
export async function loadMatrix(host: Host): Promise<MatrixData> {
  for (let attempt = 0; ; attempt++) {
    const first = await api<MatrixPage>(host, '/matrix?offset=0');
    const rows = new Map(first.rows.map((r) => [r.key, r]));
    let next = first.nextOffset;
    let consistent = true;
    while (next !== undefined) {
      const page = await api<MatrixPage>(host, `/matrix?offset=${next}`);
      if (page.generatedAt !== first.generatedAt) consistent = false;
      for (const r of page.rows) rows.set(r.key, r);
      next = page.nextOffset;
    }
    if (consistent || attempt >= 2)
      return {
        clusters: first.clusters,
        registries: first.registries,
        unresolvedClusters: first.unresolvedClusters,
        ...(first.incomplete && { incomplete: first.incomplete }),
        generatedAt: first.generatedAt,
        rows: [...rows.values()],
      };
  }
}
