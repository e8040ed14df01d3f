/**
 * A count of a registry's tokens that cannot be read plans on without it and warns: at most once
 * an hour per registry per process, so a registry whose listings are always refused (403) does not
 * log a line for every token plan, and another registry's failure is still said. The spacing reads
 * the plan's clock, not the machine's: a fake one here, moved by hand; no time passes.
 */
import {
  resetRoomUnreadWarnings,
  ROOM_UNREAD_MESSAGE,
  ROOM_UNREAD_WARN_EVERY_MS,
  tokenRoom,
} from '../../src/flows/registry-token-room';
import { FakeClock } from './support/fake-clock';

const CONTOSO = { subscriptionId: 'sub', resourceGroup: 'rg', name: 'contosoacr' };
const FABRIKAM = { subscriptionId: 'sub', resourceGroup: 'rg', name: 'fabrikamacr' };
const refused = { countTokens: async () => Promise.reject(new Error('403 AuthorizationFailed')) };
const REQUEST = { extension: false, repositories: false };

let clock: FakeClock;
beforeEach(() => (clock = new FakeClock('2026-12-07T15:00:00Z')));
afterEach(() => {
  jest.restoreAllMocks();
  resetRoomUnreadWarnings();
});

function logger() {
  const warned: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  return { warned, log: { warn: (fields: Record<string, unknown>, msg: string) => warned.push({ fields, msg }) } };
}

const room = (registry: typeof CONTOSO, log: ReturnType<typeof logger>['log']) =>
  tokenRoom(refused, registry, REQUEST, clock, 1_000, log as never);

test('the same registry refused again within the hour: planned on, not warned again', async () => {
  const { warned, log } = logger();
  await expect(room(CONTOSO, log)).resolves.toBeUndefined();
  clock.advance(ROOM_UNREAD_WARN_EVERY_MS - 1);
  await expect(room(CONTOSO, log)).resolves.toBeUndefined();
  // Another spelling of the same registry is the same registry.
  await room({ ...CONTOSO, name: 'ContosoACR' }, log);
  expect(warned).toHaveLength(1);
  expect(warned[0]).toMatchObject({ msg: ROOM_UNREAD_MESSAGE, fields: { registry: 'contosoacr' } });
  expect(warned[0]!.fields.err).toBeInstanceOf(Error);
});

test('an hour on, warned again', async () => {
  const { warned, log } = logger();
  await room(CONTOSO, log);
  clock.advance(ROOM_UNREAD_WARN_EVERY_MS);
  await room(CONTOSO, log);
  expect(warned).toHaveLength(2);
});

test("the hour is the plan's clock's: the machine's passing does not warn again, the plan clock's does", async () => {
  const { warned, log } = logger();
  const machineMs = Date.now();
  await room(CONTOSO, log);
  jest.spyOn(Date, 'now').mockReturnValue(machineMs + 2 * ROOM_UNREAD_WARN_EVERY_MS);
  await room(CONTOSO, log);
  expect(warned).toHaveLength(1);
  clock.advance(ROOM_UNREAD_WARN_EVERY_MS);
  await room(CONTOSO, log);
  expect(warned).toHaveLength(2);
});

test("one registry's warning does not hide another's", async () => {
  const { warned, log } = logger();
  await room(CONTOSO, log);
  await room(FABRIKAM, log);
  await room({ ...CONTOSO, resourceGroup: 'rg-other' }, log);
  expect(warned.map((w) => w.fields.registry)).toEqual(['contosoacr', 'fabrikamacr', 'contosoacr']);
});
