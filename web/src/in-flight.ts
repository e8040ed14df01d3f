/**
 * Actions on their way, by key (a request id): known to every drawer, not only to the one whose
 * button sent it, so a drawer closed and opened again while a Revoke or an Extend is on its way
 * offers no second one, and follows the first to its answer.
 */
export interface Flight<T> {
  /** What is on its way ("Revoke", "Extend"). */
  what: string;
  /** Its outcome; it is forgotten before anyone awaiting this hears of it. */
  done: Promise<T>;
}

export class InFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** The action on its way for `key`, if any. */
  get(key: string): Flight<T> | undefined {
    return this.flights.get(key);
  }

  /** Sends `send` for `key` unless an action for it is on its way already (then undefined: nothing sent). */
  start(key: string, what: string, send: () => Promise<T>): Flight<T> | undefined {
    if (this.flights.has(key)) return undefined;
    const flight: Flight<T> = { what, done: send() };
    this.flights.set(key, flight);
    // Registered first, so whoever follows the flight finds it gone (and may act again).
    const forget = () => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    };
    flight.done.then(forget, forget);
    return flight;
  }
}
