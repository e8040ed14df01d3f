/**
 * A listing of a revoke card's draw is served from a wider one of the same draw only when that
 * one holds its answer exactly (revocation-draw-reads.ts): a listing cut at its cap never answers
 * for other states or another pair (there may be more of them past the cut), and an answer cut at
 * the asked cap has that many, so its caller still says "or more".
 */
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { type Listing, servedBy } from '../../src/flows/revocation-draw-reads';

const REGISTRY = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr';

/** A request of `state` on `cluster` (only what a listing is filtered by). */
function request(id: string, state: RequestState, cluster = 'aks-prod'): AccessRequest {
  return { id, state, plan: { cluster: { id: cluster }, registry: { id: REGISTRY } } } as unknown as AccessRequest;
}

const found = [request('R-1', 'succeeded'), request('R-2', 'succeeded', 'aks-dev'), request('R-3', 'succeeded')];
const registryRead = (limit: number, states: RequestState[] = ['succeeded']): Listing => ({
  registryId: REGISTRY,
  states,
  limit,
  order: 'oldestFirst',
  found,
});
const ask = (limit: number, states: RequestState[] = ['succeeded'], clusterId?: string) => ({
  registryId: REGISTRY.toUpperCase(),
  clusterId,
  states,
  limit,
  order: 'oldestFirst' as const,
});
const ids = (served: AccessRequest[] | undefined) => served?.map((r) => r.id);

test('a listing below its cap answers for its states and pairs, cut at the asked cap', () => {
  expect(ids(servedBy(registryRead(10), ask(5)))).toEqual(['R-1', 'R-2', 'R-3']);
  expect(ids(servedBy(registryRead(10), ask(2)))).toEqual(['R-1', 'R-2']);
  expect(ids(servedBy(registryRead(10), ask(5, ['succeeded'], 'AKS-PROD')))).toEqual(['R-1', 'R-3']);
  expect(ids(servedBy(registryRead(10, ['succeeded', 'revoked']), ask(5)))).toEqual(['R-1', 'R-2', 'R-3']);
});

test('a listing at its cap answers only the same listing at a cap no higher', () => {
  expect(ids(servedBy(registryRead(3), ask(2)))).toEqual(['R-1', 'R-2']);
  expect(servedBy(registryRead(3), ask(5))).toBeUndefined();
  expect(servedBy(registryRead(3, ['succeeded', 'revoked']), ask(2))).toBeUndefined();
  expect(servedBy(registryRead(3), ask(2, ['succeeded'], 'aks-prod'))).toBeUndefined();
});

test('never for states it did not read, another registry, another pair or order', () => {
  expect(servedBy(registryRead(10), ask(5, ['succeeded', 'revoked']))).toBeUndefined();
  expect(servedBy(registryRead(10), { ...ask(5), registryId: `${REGISTRY}2` })).toBeUndefined();
  expect(servedBy(registryRead(10), { ...ask(5), order: 'newestFirst' })).toBeUndefined();
  expect(servedBy({ ...registryRead(10), clusterId: 'aks-dev' }, ask(5, ['succeeded'], 'aks-prod'))).toBeUndefined();
  // A pair's listing never answers for its registry's.
  expect(servedBy({ ...registryRead(10), clusterId: 'aks-dev' }, ask(5))).toBeUndefined();
});

test("a pair's listing from a registry's is served only below the asked cap (the two orders are not compared)", () => {
  expect(servedBy(registryRead(10), ask(2, ['succeeded'], 'aks-prod'))).toBeUndefined();
});
