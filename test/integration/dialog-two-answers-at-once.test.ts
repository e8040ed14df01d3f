/**
 * G16: two messages that answer the reason question at the same moment make one request. Each
 * turn loads the dialog before the other saves it (the store's reads are held until both have
 * read, so the interleaving is the racy one every time), both complete it, and the dialog's id,
 * not the message's, is what the gate admits once.
 */
import type { DialogRecord, DialogStore } from '../../src/domain/ports';
import { MemoryDialogStore } from '../../src/integrations/store/memory-coordination';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

/** A dialog store whose reads, once armed, wait until `count` of them are in flight. */
class BarrierDialogStore implements DialogStore {
  private readonly inner = new MemoryDialogStore();
  private waiting: (() => void)[] = [];
  private armed = 0;

  arm(count: number): void {
    this.armed = count;
  }
  async get(key: string, now: Date): Promise<DialogRecord | undefined> {
    if (this.armed > 0) {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        if (this.waiting.length >= this.armed) {
          this.armed = 0;
          for (const release of this.waiting.splice(0)) release();
        }
      });
    }
    return this.inner.get(key, now);
  }
  put(record: DialogRecord): Promise<void> {
    return this.inner.put(record);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  purgeExpired(now: Date): Promise<number> {
    return this.inner.purgeExpired(now);
  }
}

describe('G16: the request dialog files one request', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test('two answers to the reason question at once: one request, the other told its answer was already taken', async () => {
    const dialogs = new BarrierDialogStore();
    h = await startHarness({}, { stores: { dialogs } });
    await h.say(users.requester, 'grant aks-prod contosoacr', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    h.connector.clear();
    dialogs.arm(2);
    await Promise.all([
      h.say(users.requester, 'first answer: the nightly payments deploy', 'personal'),
      h.say(users.requester, 'second answer: the nightly payments deploy', 'personal'),
    ]);
    const taken = await h.connector.waitFor(
      (c) => /already taken from an earlier message/.test(cardText(c.activity)),
      5000,
      'the second answer refused',
    );
    expect(cardText(taken.activity)).toContain('no second request was made');
    const pending = await h.app.store.listByState(['pending']);
    expect(pending).toHaveLength(1);
    expect(pending[0].reason).toMatch(/^(first|second) answer: the nightly payments deploy$/);
  });

  test('two dialogs one after the other each make their request', async () => {
    h = await startHarness();
    // Two clusters: a second request for one pair while the first waits is refused (its twin).
    for (const [cluster, reason] of [
      ['aks-prod', 'release one needs images'],
      ['aks-dev', 'release two needs images'],
    ]) {
      await h.say(users.requester, `grant ${cluster} contosoacr`, 'personal');
      await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
      h.connector.clear();
      await h.say(users.requester, reason, 'personal');
      await h.connector.waitFor((c) => cardText(c.activity).includes(reason), 5000, 'the plan card');
    }
    expect((await h.app.store.listByState(['pending'])).map((r) => r.reason).sort()).toEqual([
      'release one needs images',
      'release two needs images',
    ]);
  });
});
