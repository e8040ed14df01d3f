/**
 * A setting narrowed between two starts on one SQLite store: the second start says what the
 * first left (background.ts warnOfSettingsLeftBehind), once, with the ids to act on. A permanent
 * grant live when ACRBOT_ALLOW_PERMANENT is turned off never ends; a request pending on a cluster
 * of a subscription taken out of ACRBOT_SUBSCRIPTION_IDS stays. A start whose settings left
 * nothing behind says neither.
 */
import { join } from 'node:path';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { CapturingConnector } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';

jest.setTimeout(90_000);
const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

const PERMANENT_LEFT =
  'permanent access is still live though ACRBOT_ALLOW_PERMANENT is off; it never ends: revoke it (@acrbot revoke REQUEST-ID REASON, for each of requestIds)';
const UNLISTED_LEFT =
  'requests on clusters or registries of subscriptions no longer in ACRBOT_SUBSCRIPTION_IDS remain: reject the pending ones, and revoke the live ones (@acrbot revoke REQUEST-ID REASON) before acrbot loses its rights there, or add the subscription back';

/** The lines `h`'s start logged with one of the messages of this test. */
const leftBehindLines = (h: Harness) =>
  h.logs.entries().filter((e) => e.msg === PERMANENT_LEFT || e.msg === UNLISTED_LEFT);

/**
 * Starts acrbot on a fresh SQLite store with `before`, runs `make` and stops it; then starts it
 * again on that store with `after` and hands it to `check`.
 */
async function twoStarts(
  before: Record<string, string>,
  make: (h: Harness) => Promise<string>,
  after: Record<string, string>,
  check: (h: Harness, id: string) => Promise<void>,
): Promise<void> {
  const storage = `sqlite:${join(tempDirs.make('acrbot-narrowed-'), 'acrbot.db')}`;
  const connector = new CapturingConnector();
  await connector.start();
  try {
    const first = await startHarness({ ACRBOT_STORAGE: storage, ...before }, {}, { connector });
    let id: string;
    try {
      id = await make(first);
      expect(leftBehindLines(first)).toEqual([]);
    } finally {
      await first.stop();
    }
    const second = await startHarness({ ACRBOT_STORAGE: storage, ...after }, {}, { connector });
    try {
      await check(second, id);
    } finally {
      await second.stop();
    }
  } finally {
    await connector.stop();
  }
}

test('ACRBOT_ALLOW_PERMANENT turned off with a permanent grant live: the start warns of it, naming it', async () => {
  await twoStarts(
    { ACRBOT_ALLOW_PERMANENT: 'true' },
    async (h) => {
      const asked = await h.requestGrant(users.requester, 'aks-prod contosoacr --for permanent deploy payments-api');
      await h.click(users.approver, 'approve', { requestId: asked.id });
      const done = await h.settle(asked.id);
      expect(done).toMatchObject({ state: 'succeeded', access: { permanent: true } });
      return asked.id;
    },
    { ACRBOT_ALLOW_PERMANENT: 'false' },
    async (h, id) => {
      expect(leftBehindLines(h)).toEqual([
        expect.objectContaining({ level: 40, msg: PERMANENT_LEFT, permanent: 1, requestIds: [id] }),
      ]);
    },
  );
});

test('a subscription taken out of ACRBOT_SUBSCRIPTION_IDS with a request pending in it: the start warns of it', async () => {
  await twoStarts(
    {},
    async (h) => {
      // aks-dev is in the sandbox's data subscription, contosoacr in its platform one.
      const asked = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api for the release');
      expect(asked.state).toBe('pending');
      return asked.id;
    },
    { ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform },
    async (h, id) => {
      expect(leftBehindLines(h)).toEqual([
        expect.objectContaining({
          level: 40,
          msg: UNLISTED_LEFT,
          pending: 1,
          active: 0,
          subscriptionIds: [SANDBOX_SUBSCRIPTIONS.data],
          requestIds: [id],
        }),
      ]);
    },
  );
});
