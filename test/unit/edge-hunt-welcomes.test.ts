/**
 * One help card per conversation in a window (welcomes.ts), recorded in the store's sightings:
 * redeliveries post nothing more, on this instance or another one on the same store.
 */
import { Welcomes } from '../../src/bot/welcomes';
import { MemoryAbuseLedger } from '../../src/integrations/store/memory-coordination';

function clock(start = 0) {
  let ms = start;
  return { now: () => new Date(ms), advance: (by: number) => void (ms += by) };
}

describe('Welcomes', () => {
  test('a conversation is welcomed once within the window, again after it', async () => {
    const c = clock();
    const welcomes = new Welcomes(new MemoryAbuseLedger(), c, 60_000);
    expect(await welcomes.firstWelcome('19:a@thread.tacv2')).toBe(true);
    expect(await welcomes.firstWelcome('19:a@thread.tacv2')).toBe(false);
    // A thread of the channel is the channel.
    expect(await welcomes.firstWelcome('19:a@thread.tacv2;messageid=17')).toBe(false);
    expect(await welcomes.firstWelcome('19:b@thread.tacv2')).toBe(true);
    c.advance(59_999);
    expect(await welcomes.firstWelcome('19:a@thread.tacv2')).toBe(false);
    c.advance(1);
    expect(await welcomes.firstWelcome('19:a@thread.tacv2')).toBe(true);
  });

  test('two instances on one store welcome a conversation once', async () => {
    const c = clock();
    const ledger = new MemoryAbuseLedger();
    const [one, two] = [new Welcomes(ledger, c), new Welcomes(ledger, c)];
    const answers = await Promise.all([one.firstWelcome('19:a@thread.tacv2'), two.firstWelcome('19:a@thread.tacv2')]);
    expect(answers.sort()).toEqual([false, true]);
  });
});
