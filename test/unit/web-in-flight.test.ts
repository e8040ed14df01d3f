/** Revoke and Extend on their way are known by request id, to every drawer: never sent twice. */
import { InFlight } from '../../web/src/in-flight';

describe('actions in flight', () => {
  test('a second action for a request is not sent while the first is on its way; others are', async () => {
    const flights = new InFlight<string>();
    let answer!: (v: string) => void;
    const sent: string[] = [];
    const send = (what: string) => () => {
      sent.push(what);
      return new Promise<string>((res) => (answer = res));
    };
    const first = flights.start('R-1', 'Revoke', send('revoke R-1'));
    expect(first?.what).toBe('Revoke');
    // A drawer opened again meanwhile finds it, and its button sends nothing.
    expect(flights.get('R-1')).toBe(first);
    expect(flights.start('R-1', 'Revoke', send('revoke R-1 again'))).toBeUndefined();
    expect(flights.start('R-1', 'Extend', send('extend R-1'))).toBeUndefined();
    expect(sent).toEqual(['revoke R-1']);
    const releaseFirst = answer;
    // Another request is its own.
    expect(flights.start('R-2', 'Revoke', send('revoke R-2'))).toBeDefined();
    releaseFirst('Revoked R-1');
    // Whoever follows the first hears of it once it is forgotten, and may act again.
    const seen = await first!.done.then((v) => ({ v, still: flights.get('R-1') }));
    expect(seen).toEqual({ v: 'Revoked R-1', still: undefined });
    expect(flights.start('R-1', 'Extend', send('extend R-1'))).toBeDefined();
    expect(sent).toEqual(['revoke R-1', 'revoke R-2', 'extend R-1']);
  });

  test('a failed action is forgotten too', async () => {
    const flights = new InFlight<string>();
    const flight = flights.start('R-1', 'Revoke', () => Promise.reject(new Error('refused')))!;
    await expect(flight.done).rejects.toThrow('refused');
    expect(flights.get('R-1')).toBeUndefined();
  });
});
