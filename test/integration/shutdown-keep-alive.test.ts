/**
 * Stopping the app closes a keep-alive connection that was busy when the stop began as soon as
 * its response is sent: the response says `Connection: close`. Before, the stop closed only the
 * connections idle at that moment; a busy one went idle afterwards and held the stop open for
 * the keep-alive timeout (about 5 s).
 */
import { type Harness, startHarness } from '../helpers/harness';

describe('stop with a request in flight on a keep-alive connection', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.stop();
  });

  test('the in-flight response says Connection: close, and the stop then ends', async () => {
    h = await startHarness();
    // /readyz pings the store: held here until the stop has begun.
    let entered!: () => void;
    const pinged = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    h.app.store.ping = async () => {
      entered();
      await released;
    };
    const response = fetch(`${h.app.url}/readyz`);
    await pinged;
    const stopped = h.stop();
    release();
    const res = await response;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    await res.arrayBuffer();
    await stopped;
  });
});
