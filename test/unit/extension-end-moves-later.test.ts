/**
 * An extension's success moves its original's end only later (access-extensions.ts,
 * applyExtension): one ending no later than the original's end, an older approval that finished
 * after a longer one, neither shortens the access nor is audited as extending it; a later one's
 * move is redrawn on the original's cards. And a grant being run gets a provisional end one term
 * from now (access-lifecycle.ts): a crash between the grant and its scheduling never leaves access
 * without an end, nor ends it at once.
 */
import type { AccessRequest } from '../../src/domain/request';
import {
  memoryWorld,
  quietLifecycle,
  recordingJobs,
  succeededGrant,
  type LifecycleParts,
} from './support/access-lifecycle';
import { HOUR } from './support/fake-clock';
import { pendingRequest, secretPlan } from './support/requests';

const DAY = 24 * HOUR;
const NOW = '2025-02-12T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

function setUp() {
  const { clock, store, audit } = memoryWorld(NOW);
  const { jobs, written } = recordingJobs();
  /** The versions of requests whose cards were redrawn. */
  const redrawn: AccessRequest[] = [];
  const cards = {
    requestChanged: async (request: AccessRequest) => {
      redrawn.push(request);
    },
  };
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    jobs,
    notifier: cards as unknown as LifecycleParts['notifier'],
  });
  return { store, audit, written, redrawn, lifecycle };
}

describe.each([
  ['earlier than', at(5 * DAY)],
  ['at', at(10 * DAY)],
])("an extension ending %s the original's end", (_when, extensionEnd) => {
  test('leaves the end where it is, unaudited', async () => {
    const { store, audit, lifecycle } = setUp();
    const original = succeededGrant('R-ORIGINAL', at(10 * DAY));
    const extension = succeededGrant('R-EXTENSION', extensionEnd, { extendsRequestId: original.id });
    await store.create(original);
    await store.create(extension);
    await lifecycle.requestChanged(extension);
    expect((await store.get(original.id))?.access?.expiresAt).toBe(at(10 * DAY));
    expect((await audit.forRequest(original.id)).filter((e) => e.action === 'access.extended')).toEqual([]);
  });
});

test("a later extension moves the original's end to its own, and its cards show it", async () => {
  const { store, redrawn, lifecycle } = setUp();
  const original = succeededGrant('R-ORIGINAL', at(10 * DAY));
  const extension = succeededGrant('R-EXTENSION', at(20 * DAY), { extendsRequestId: original.id });
  await store.create(original);
  await store.create(extension);
  await lifecycle.requestChanged(extension);
  expect((await store.get(original.id))?.access?.expiresAt).toBe(at(20 * DAY));
  expect(redrawn.filter((r) => r.id === original.id).map((r) => r.access?.expiresAt)).toEqual([at(20 * DAY)]);
  // Its length grows by what the extension added (the card's "until …, 40 days").
  expect((await store.get(original.id))?.access?.durationMs).toBe(40 * DAY);
});

test("a secret extension records its new credential's expiry on the original: pulls stop then", async () => {
  const { store, lifecycle } = setUp();
  const original = succeededGrant('R-ORIGINAL', at(10 * DAY), { plan: secretPlan({ expiresAt: at(10 * DAY) }) });
  const extension = succeededGrant('R-EXTENSION', at(20 * DAY), {
    extendsRequestId: original.id,
    plan: secretPlan({ expiresAt: at(15 * DAY) }),
  });
  await store.create(original);
  await store.create(extension);
  await lifecycle.requestChanged(extension);
  expect((await store.get(original.id))?.access?.credentialExpiresAt).toBe(at(15 * DAY));
});

describe('the provisional end of a grant being run', () => {
  test('is one term from now', async () => {
    const { written, lifecycle } = setUp();
    await lifecycle.requestChanged(pendingRequest({ state: 'executing', access: { durationMs: DAY } }));
    expect(written.map((j) => [j.kind, j.dueAt.toISOString()])).toEqual([['access.expire', at(DAY)]]);
  });

  test('is not written over an end the request has already', async () => {
    const { written, lifecycle } = setUp();
    await lifecycle.requestChanged(
      pendingRequest({ state: 'executing', access: { durationMs: DAY, expiresAt: at(2 * HOUR) } }),
    );
    expect(written).toEqual([]);
  });
});
