/**
 * G15: the one check every deletion by a recorded token name makes first (checkOwnToken): a token
 * Azure dates otherwise than acrbot recorded is warned of and said for the caller's entry, one
 * dated as recorded is handed on as the deletion's read, and without a recorded date nothing is
 * read.
 */
import type { RegistryTokenPort, RegistryTokenRead } from '../../src/domain/ports';
import type { CredentialRef } from '../../src/domain/secret-credential';
import { checkOwnToken } from '../../src/flows/foreign-token';
import type { Logger } from '../../src/observability/logger';

const ref: CredentialRef = {
  kind: 'token',
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  resourceGroup: 'rg-acr',
  registry: 'contosoacr',
  tokenName: 'acrbot-r-7k2m9qxa',
  scopeMapName: 'acrbot-r-7k2m9qxa-map',
};
const RECORDED = '2026-11-30T10:00:00.000Z';

/** A token port answering `found` for every read, counting the reads; a logger keeping its warnings. */
function deps(found: RegistryTokenRead | undefined) {
  const warned: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const reads: string[] = [];
  const tokens = {
    getToken: async (_registry: unknown, name: string) => {
      reads.push(name);
      return found;
    },
  } as unknown as RegistryTokenPort;
  const log = {
    warn: (fields: Record<string, unknown>, msg: string) => warned.push({ fields, msg }),
  } as unknown as Logger;
  return { deps: { tokens, log }, warned, reads };
}

test('a token dated otherwise than recorded: warned of once, with its detail for the entry', async () => {
  const found = { id: 'tok', creationDate: '2026-12-01T08:00:00Z' };
  const t = deps(found);
  const { tokenRead, left } = await checkOwnToken(t.deps, 'R-1', ref, RECORDED);
  expect(tokenRead).toEqual({ found });
  expect(left?.found).toBe(found);
  expect(left?.detail).toContain('made 2026-12-01T08:00:00Z');
  expect(left?.detail).toContain('acrbot-r-7k2m9qxa-map');
  expect(left?.detail).toMatch(/nothing deleted$/);
  expect(t.warned).toEqual([
    {
      fields: { requestId: 'R-1', token: 'acrbot-r-7k2m9qxa', dated: true, recordedDate: true },
      msg: "a token under the name of acrbot's is not the one acrbot made; left in place for an operator",
    },
  ]);
});

test("acrbot's own token (dated as recorded, however written): no warning, its read handed on", async () => {
  const found = { id: 'tok', creationDate: '2026-11-30T11:00:00+01:00' };
  const t = deps(found);
  expect(await checkOwnToken(t.deps, 'R-1', ref, RECORDED)).toEqual({ tokenRead: { found } });
  expect(t.warned).toEqual([]);
});

test('no token under the name: nothing left, the empty read handed on', async () => {
  const t = deps(undefined);
  const { tokenRead, left } = await checkOwnToken(t.deps, 'R-1', ref, RECORDED);
  expect(tokenRead).toEqual({ found: undefined });
  expect(left).toBeUndefined();
  expect(t.warned).toEqual([]);
});

test('no recorded date: nothing read here (the deletion reads it by its name)', async () => {
  const t = deps({ id: 'tok', creationDate: '2026-12-01T08:00:00Z' });
  const { tokenRead, left } = await checkOwnToken(t.deps, 'R-1', ref, undefined);
  expect(tokenRead).toBeUndefined();
  expect(left).toBeUndefined();
  expect(t.reads).toEqual([]);
  expect(t.warned).toEqual([]);
});
