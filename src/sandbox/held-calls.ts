/**
 * What the emulators' test faults share: a gate that holds matching calls until the test lets
 * them go ({@link CallGate}, handed to tests as {@link HeldCalls}), and the rule that no injected
 * wait outlives the caller's connection ({@link untilClosed}). The ARM, Graph and Kubernetes
 * emulators use these, so a held call behaves the same whichever front end it reached.
 */
import type { IncomingMessage } from 'node:http';

/** Calls held by a fault rule's `hold`, as the test drives them. */
export interface HeldCalls {
  /** Resolves once the first matching call has arrived and is being held. */
  readonly arrived: Promise<void>;
  /** Whether a matching call has arrived (for a condition polled together with others). */
  readonly hasArrived: boolean;
  /** Lets every held call go on (to its fault, if the rule has a status, or its route). */
  release(): void;
}

/** The gate of one `hold` rule: calls wait at it until {@link release}. */
export class CallGate implements HeldCalls {
  readonly arrived: Promise<void>;
  readonly released: Promise<void>;
  hasArrived = false;
  private arrive!: () => void;
  private open!: () => void;

  constructor() {
    this.arrived = new Promise((resolve) => (this.arrive = resolve));
    this.released = new Promise((resolve) => (this.open = resolve));
  }

  /** A call came and waits at the gate. */
  take(): Promise<void> {
    this.hasArrived = true;
    this.arrive();
    return this.released;
  }

  release(): void {
    this.open();
  }
}

/**
 * Settles when `until` does or when the request's connection closes, whichever comes first: an
 * injected wait (a delay, a held call) does not outlive the caller that gave up on it (its own
 * deadline, a killed bot) nor an emulator that destroyed its connections on stop, so no timer or
 * gate keeps a test's process alive after it; the request then goes on as a real front end's does.
 */
export function untilClosed(req: IncomingMessage, until: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const socket = req.socket;
    const end = (): void => {
      socket.off('close', end);
      resolve();
    };
    if (socket.destroyed) return end();
    socket.once('close', end);
    void until.then(end);
  });
}
