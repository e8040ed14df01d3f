/**
 * tokenRoom bounds the count it asks for: it stops at the SKU's limit (a count of at least the
 * limit is "full", nothing past it tells more), and its signal aborts once the plan stops
 * waiting, counted or not, so a late listing asks ARM for no further page.
 */
import { REGISTRY_TOKEN_LIMITS } from '../../src/domain/azure-model';
import type { RegistryTokenCount, RegistryTokenPort } from '../../src/domain/ports';
import { resetRoomUnreadWarnings, tokenRoom } from '../../src/flows/registry-token-room';
import { FakeClock } from './support/fake-clock';

const CONTOSO = { subscriptionId: 'sub', resourceGroup: 'rg', name: 'contosoacr' };
const REQUEST = { extension: false, repositories: false };
const clock = new FakeClock('2026-12-07T15:00:00Z');

afterEach(() => resetRoomUnreadWarnings());

type Options = Parameters<NonNullable<RegistryTokenPort['countTokens']>>[1];

/** A port whose count is `answer`, recording the options it was asked with. */
function counting(answer: Promise<RegistryTokenCount>) {
  const asked: Options[] = [];
  return {
    asked,
    port: {
      countTokens: (_registry: unknown, options?: Options) => {
        asked.push(options);
        return answer;
      },
    },
  };
}

test('the count stops at the SKU’s limit; an SKU with none asks for nothing', async () => {
  const { asked, port } = counting(Promise.resolve({ tokens: 100, scopeMaps: 0, sku: 'Basic' }));
  const room = await tokenRoom(port, CONTOSO, REQUEST, clock, 1_000);
  expect(room && 'refusal' in room).toBe(true);
  const stopAt = asked[0]!.stopAt!;
  expect(stopAt('Basic')).toBe(REGISTRY_TOKEN_LIMITS.Basic);
  expect(stopAt('premium')).toBe(REGISTRY_TOKEN_LIMITS.Premium);
  expect(stopAt('Classic')).toBe(0);
  expect(stopAt(undefined)).toBe(0);
});

test('a count that does not come in time: planned on, and its signal aborted', async () => {
  const warned: string[] = [];
  const { asked, port } = counting(new Promise<RegistryTokenCount>(() => undefined));
  const room = await tokenRoom(port, CONTOSO, REQUEST, clock, 0, {
    warn: (_f: unknown, msg: string) => warned.push(msg),
  } as never);
  expect(room).toBeUndefined();
  expect(warned).toHaveLength(1);
  const signal = asked[0]!.abortSignal!;
  expect(signal.aborted).toBe(true);
});

test('a count that failed: its signal aborted too (the other listing reads no further)', async () => {
  const { asked, port } = counting(Promise.reject(new Error('403 AuthorizationFailed')));
  await expect(tokenRoom(port, CONTOSO, REQUEST, clock, 1_000)).resolves.toBeUndefined();
  expect(asked[0]!.abortSignal!.aborted).toBe(true);
});
