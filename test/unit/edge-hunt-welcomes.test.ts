/**
 * One help card per conversation in a window (welcomes.ts), recorded in the store's sightings:
 * redeliveries post nothing more, and a welcome whose card could not be sent is tried again,
 * unless Teams refused it for good (403/404: a retry would be refused the same way).
 */
import { Welcomes } from '../../src/bot/welcomes';
import { MemoryAbuseLedger } from '../../src/integrations/store/memory-coordination';

function clock(start = 0) {
  let ms = start;
  return { now: () => new Date(ms), advance: (by: number) => void (ms += by) };
}

/** A welcome that counts its sends. */
function counting() {
  const sent: string[] = [];
  return { sent, send: (id: string) => async () => void sent.push(id) };
}

describe('Welcomes', () => {
  test('a conversation is welcomed once within the window, again after it', async () => {
    const c = clock();
    const welcomes = new Welcomes(new MemoryAbuseLedger(), c, 60_000);
    const { sent, send } = counting();
    await welcomes.once('19:a@thread.tacv2', send('a'));
    await welcomes.once('19:a@thread.tacv2', send('a'));
    // A thread of the channel is the channel.
    await welcomes.once('19:a@thread.tacv2;messageid=17', send('a-thread'));
    await welcomes.once('19:b@thread.tacv2', send('b'));
    c.advance(59_999);
    await welcomes.once('19:a@thread.tacv2', send('a'));
    expect(sent).toEqual(['a', 'b']);
    c.advance(1);
    await welcomes.once('19:a@thread.tacv2', send('a'));
    expect(sent).toEqual(['a', 'b', 'a']);
  });

  test('a welcome whose card could not be sent is not recorded: the redelivery sends it', async () => {
    const welcomes = new Welcomes(new MemoryAbuseLedger(), clock());
    const failure = new Error('connector 502');
    await expect(
      welcomes.once('19:a@thread.tacv2', async () => {
        throw failure;
      }),
    ).rejects.toMatchObject({ name: 'WelcomeNotPostedError', cause: failure });
    const { sent, send } = counting();
    await welcomes.once('19:a@thread.tacv2', send('again'));
    expect(sent).toEqual(['again']);
  });

  test.each([
    [403, 'BotNotInConversationRoster'],
    [404, 'ConversationNotFound'],
  ])('a welcome Teams refuses for good (%i) stays recorded and does not throw', async (statusCode, code) => {
    const welcomes = new Welcomes(new MemoryAbuseLedger(), clock());
    // A Bot Connector RestError's shape: the status, and Teams' code in the answer's body.
    const refused = Object.assign(new Error('refused'), {
      statusCode,
      response: { bodyAsText: JSON.stringify({ error: { code, message: 'no' } }) },
    });
    await expect(
      welcomes.once('19:a@thread.tacv2', async () => {
        throw refused;
      }),
    ).resolves.toBeUndefined();
    // A redelivery (which Teams would refuse the same way) sends nothing.
    const { sent, send } = counting();
    await welcomes.once('19:a@thread.tacv2', send('again'));
    expect(sent).toEqual([]);
  });

  test('a welcome Teams answered 500 for is still retried', async () => {
    const welcomes = new Welcomes(new MemoryAbuseLedger(), clock());
    const failure = Object.assign(new Error('service error'), { statusCode: 500 });
    await expect(
      welcomes.once('19:a@thread.tacv2', async () => {
        throw failure;
      }),
    ).rejects.toMatchObject({ name: 'WelcomeNotPostedError', cause: failure });
  });

  test('two deliveries at once on one store send one welcome', async () => {
    const c = clock();
    const ledger = new MemoryAbuseLedger();
    const { sent, send } = counting();
    await Promise.all([
      new Welcomes(ledger, c).once('19:a@thread.tacv2', send('one')),
      new Welcomes(ledger, c).once('19:a@thread.tacv2', send('two')),
    ]);
    expect(sent).toHaveLength(1);
  });
});
