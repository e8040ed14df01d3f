/**
 * ArmRegistryTokens.countTokens takes ARM's listings one page at a time and checks each nextLink
 * before asking for it, as ArmRest does its own: a link to another origin (which would carry the
 * bearer token there) or back to a page already asked for fails the count instead of following.
 * Built-in scope maps are not counted; the SKU is the registry's `sku.name`. A listing stops at
 * the count the caller's `stopAt` gives for the SKU (nothing past the limit tells more than
 * "full"), and asks for no further page once the caller's signal aborts.
 */
import { ArmRegistryTokens, type RegistryArm } from '../../src/integrations/azure/arm-registry-tokens';

const REGISTRY = { subscriptionId: 'sub', resourceGroup: 'rg', name: 'contosoacr' };
const ORIGIN = 'https://arm.example';

type Page<T> = { items: T[]; next?: string };

/**
 * A listing served from `pages` keyed by the link that asks for each (`''`: the first page).
 * `held` (a link): that page is answered only once the test calls the `release` it is given
 * (`onHeld`), so the test can act while it is under way. `signals`: the abort signal each request
 * carried, by link.
 */
function listing<T>(
  pages: Record<string, Page<T>>,
  asked: string[],
  hold?: { held: string; onHeld: (release: () => void) => void },
  signals?: Map<string, AbortSignal | undefined>,
) {
  return (
    _rg: string,
    _name: string,
    options: { onResponse?: (raw: { request: { url: string } }) => void; abortSignal?: AbortSignal },
  ) => ({
    byPage(settings?: { continuationToken?: string }) {
      const link = settings?.continuationToken ?? '';
      return {
        async next() {
          asked.push(link);
          signals?.set(link, options.abortSignal);
          if (!link) options.onResponse?.({ request: { url: `${ORIGIN}/first?api-version=x` } });
          if (hold && link === hold.held) await new Promise<void>((release) => hold.onHeld(release));
          const page = pages[link]!;
          return { done: false, value: Object.assign([...page.items], { continuationToken: page.next }) };
        },
      };
    },
  });
}

function tokensOver(
  tokenPages: Record<string, Page<unknown>>,
  asked: string[] = [],
  registryReads: string[] = [],
  hold?: { held: string; onHeld: (release: () => void) => void },
  signals?: Map<string, AbortSignal | undefined>,
) {
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
      tokens: { list: listing(tokenPages, asked, hold, signals) },
      scopeMaps: { list: scopeMaps },
      registries: {
        get: async (_rg: string, name: string, options?: { abortSignal?: AbortSignal }) => {
          registryReads.push(name);
          signals?.set('registry', options?.abortSignal);
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

/** Six pages of three tokens: 18 in all. */
const SIX_PAGES: Record<string, Page<unknown>> = Object.fromEntries(
  Array.from({ length: 6 }, (_, i) => [
    i === 0 ? '' : `${ORIGIN}/p${i + 1}`,
    { items: [1, 2, 3], ...(i < 5 && { next: `${ORIGIN}/p${i + 2}` }) },
  ]),
);

test('a listing stops at stopAt: no page past the one that reaches it, the count given as stopAt', async () => {
  const asked: string[] = [];
  const skus: Array<string | undefined> = [];
  const tokens = tokensOver(SIX_PAGES, asked);
  const stopAt = (sku: string | undefined) => {
    skus.push(sku);
    return 7;
  };
  await expect(tokens.countTokens({ ...REGISTRY, sku: 'Basic' }, { stopAt })).resolves.toEqual({
    tokens: 7,
    scopeMaps: 2,
    sku: 'Basic',
  });
  // 3, 6, 9: the third page reaches 7; the fourth is never asked for.
  expect(asked).toEqual(['', `${ORIGIN}/p2`, `${ORIGIN}/p3`]);
  expect(skus).toEqual(['Basic']);
});

test('without the SKU, the stop comes from the SKU read', async () => {
  const asked: string[] = [];
  const tokens = tokensOver(SIX_PAGES, asked);
  const counted = await tokens.countTokens(REGISTRY, { stopAt: (sku) => (sku === 'Standard' ? 4 : undefined) });
  expect(counted).toEqual({ tokens: 4, scopeMaps: 2, sku: 'Standard' });
  expect(asked).toEqual(['', `${ORIGIN}/p2`]);
});

test('a stopAt of 0 (an SKU with no limit to judge by) asks for no page', async () => {
  const asked: string[] = [];
  const tokens = tokensOver(SIX_PAGES, asked);
  await expect(tokens.countTokens({ ...REGISTRY, sku: 'Classic' }, { stopAt: () => 0 })).resolves.toEqual({
    tokens: 0,
    scopeMaps: 0,
    sku: 'Classic',
  });
  expect(asked).toEqual([]);
});

test('below stopAt every page is counted', async () => {
  const asked: string[] = [];
  const tokens = tokensOver(SIX_PAGES, asked);
  await expect(tokens.countTokens({ ...REGISTRY, sku: 'Basic' }, { stopAt: () => 100 })).resolves.toMatchObject({
    tokens: 18,
  });
  expect(asked).toHaveLength(6);
});

test('aborted while a page is under way: no further page is asked for, and the count rejects with the reason', async () => {
  const asked: string[] = [];
  const signals = new Map<string, AbortSignal | undefined>();
  const stop = new AbortController();
  let release!: () => void;
  let held!: () => void;
  const heldNow = new Promise<void>((resolve) => (held = resolve));
  const hold = {
    held: `${ORIGIN}/p3`,
    onHeld: (r: () => void) => {
      release = r;
      held();
    },
  };
  const counting = tokensOver(SIX_PAGES, asked, [], hold, signals).countTokens(REGISTRY, {
    stopAt: () => 100,
    abortSignal: stop.signal,
  });
  await heldNow;
  const reason = new Error('the plan no longer awaits this count');
  stop.abort(reason);
  release();
  await expect(counting).rejects.toBe(reason);
  expect(asked).toEqual(['', `${ORIGIN}/p2`, `${ORIGIN}/p3`]);
  // The signal went with the first page and the SKU read (the SDK sends a nextLink's page without it).
  expect(signals.get('')).toBe(stop.signal);
  expect(signals.get('registry')).toBe(stop.signal);
});
