/**
 * Reads of requests by id for a pass over a list: one already listed is taken as listed, any
 * other is read once and the read shared (an extension's original, asked for by several rows).
 */
import type { AccessRequest } from '../domain/request';

/** The getter: `listed` first, else `read`, at most once per id. */
export function listedOrReadOnce(
  listed: readonly AccessRequest[],
  read: (id: string) => Promise<AccessRequest | undefined>,
): (id: string) => Promise<AccessRequest | undefined> {
  const byId = new Map(listed.map((r) => [r.id, r]));
  const reads = new Map<string, Promise<AccessRequest | undefined>>();
  return (id) => {
    const found = byId.get(id);
    if (found) return Promise.resolve(found);
    let pending = reads.get(id);
    if (!pending) reads.set(id, (pending = read(id)));
    return pending;
  };
}
