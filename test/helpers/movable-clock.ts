/**
 * A clock on the machine's time that a test can move on at once: for tests without a fixed test
 * clock that must let minutes pass, such as the lag of Azure's listing after a grant
 * (src/domain/listing-lag.ts), before a drift check may call the grant's assignment removed.
 */
import type { Clock } from '../../src/domain/ports';

/** The machine's time plus what {@link MovableClock.advance} added. */
export class MovableClock implements Clock {
  private aheadMs = 0;

  now(): Date {
    return new Date(Date.now() + this.aheadMs);
  }

  /** Moves the clock on by `ms`. */
  advance(ms: number): void {
    this.aheadMs += ms;
  }
}
