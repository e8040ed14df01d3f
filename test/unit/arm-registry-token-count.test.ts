/**
 * ArmRegistryTokens.countTokens takes ARM's listings one page at a time and checks each nextLink
 * before asking for it, as ArmRest does its own: a link to another origin (which would carry the
 * bearer token there) or back to a page already asked for fails the count instead of following.
 * Built-in scope maps are not counted; the SKU is the registry's `sku.name`.
 */
import { ArmRegistryTokens, type RegistryArm } from '../../src/integrations/azure/arm-registry-tokens';

const REGISTRY = { subscriptionId: 'sub', resourceGroup: 'rg', name: 'contosoacr' };
const ORIGIN = 'https://arm.example';

type Page<T> = { items: T[]; next?: string };

/** A listing served from `pages` keyed by the link that asks for each (`''`: the first page). */
function listing<T>(pages: Record<string, Page<T>>, asked: string[]) {
  return (_rg: string, _name: string, options: { onResponse?: (raw: { request: { url: string } }) => void }) => ({
    byPage(settings?: { continuationToken?: string }) {
      const link = settings?.continuationToken ?? '';
      return {
        async next() {
          asked.push(link);
          if (!link) options.onResponse?.({ request: { url: `${ORIGIN}/first?api-version=x` } });
          const page = pages[link]!;
          return { done: false, value: Object.assign([...page.items], { continuationToken: page.next }) };
        },
      };
    },
  });
}

function tokensOver(tokenPages: Record<string, Page<unknown>>, asked: string[] = [], registryReads: string[] = []) {
  const scopeMaps = listing<{ typePropertiesType?: string }>(
    {
      '': {
        items: [{ typePropertiesType: 'SystemDefined' }, { typePropertiesType: 'UserDefined' }, {}],
      },
    },
    [],
  );
  const arm = {
    acrClient: () => ({
      tokens: { list: listing(tokenPages, asked) },
      scopeMaps: { list: scopeMaps },
      registries: {
        get: async (_rg: string, name: string) => {
          registryReads.push(name);
          return { sku: { name: 'Standard' } };
        },
      },
    }),
    listRegistries: async () => [],
  } as unknown as RegistryArm;
  return new ArmRegistryTokens(arm);
}

test('every page counted; built-in scope maps left out; the SKU read', async () => {
  const asked: string[] = [];
  const reads: string[] = [];
  const tokens = tokensOver(
    {
      '': { items: [1, 2], next: `${ORIGIN}/p2` },
      [`${ORIGIN}/p2`]: { items: [3, 4], next: `${ORIGIN}/p3` },
      [`${ORIGIN}/p3`]: { items: [5] },
    },
    asked,
    reads,
  );
  await expect(tokens.countTokens(REGISTRY)).resolves.toEqual({ tokens: 5, scopeMaps: 2, sku: 'Standard' });
  expect(asked).toEqual(['', `${ORIGIN}/p2`, `${ORIGIN}/p3`]);
  expect(reads).toEqual(['contosoacr']);
});

test('a registry that comes with its SKU (as registryFromWire reads it) is not read again', async () => {
  const reads: string[] = [];
  const tokens = tokensOver({ '': { items: [1, 2] } }, [], reads);
  await expect(tokens.countTokens({ ...REGISTRY, sku: 'Basic' })).resolves.toEqual({
    tokens: 2,
    scopeMaps: 2,
    sku: 'Basic',
  });
  expect(reads).toEqual([]);
});

test('a nextLink to another origin is not followed', async () => {
  const asked: string[] = [];
  const tokens = tokensOver({ '': { items: [1], next: 'https://elsewhere.example/p2' } }, asked);
  await expect(tokens.countTokens(REGISTRY)).rejects.toThrow(
    `token listing answered a nextLink to https://elsewhere.example, not ${ORIGIN}; not followed`,
  );
  expect(asked).toEqual(['']);
});

test('a nextLink back to a page already asked for (a loop) ends the count', async () => {
  const tokens = tokensOver({
    '': { items: [1], next: `${ORIGIN}/p2` },
    [`${ORIGIN}/p2`]: { items: [2], next: `${ORIGIN}/p2` },
  });
  await expect(tokens.countTokens(REGISTRY)).rejects.toThrow('a page it already fetched (a loop)');
});
