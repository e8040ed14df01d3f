/** A clock tests move by hand (implements the domain Clock port). */
import type { Clock } from '../../../src/domain/ports';

export class FakeClock implements Clock {
  private ms: number;
  constructor(start: string | Date = '2025-01-15T09:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): Date {
    this.ms += ms;
    return this.now();
  }
  set(at: string | Date): Date {
    this.ms = new Date(at).getTime();
    return this.now();
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
