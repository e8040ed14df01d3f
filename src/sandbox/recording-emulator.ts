/**
 * What the ARM and Graph emulators share around their own request handling: the request log
 * tests assert on, the Node listener, and the operation name a route match gives the log and
 * the fault registry. Each emulator keeps its own parse → authenticate → fault → answer steps,
 * which differ in error bodies and headers (CONTRACTS §1 vs §3).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLog, RequestLogEntry } from './arm/request-log';
import type { RouteMatch } from './arm/router';

/** Base of an emulator that records every answered request. */
export abstract class RecordingEmulator {
  /** Every answered request (bounded). */
  abstract readonly log: RequestLog;

  /** Answered requests, oldest first: `{ method, path, operation, status, apiVersion, requestId, at }`. */
  get requests(): RequestLogEntry[] {
    return this.log.entries;
  }

  /** Empties the request log. */
  clearRequests(): void {
    this.log.clear();
  }

  /** Node request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void this.handle(req, res);
  };

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** The operation name of a route match (`unknown` when no route matched). */
export function operationOf<R extends { operation: string }>(match: RouteMatch<R>): string {
  return match.kind === 'found'
    ? match.route.operation
    : match.kind === 'method-not-allowed'
      ? match.operation
      : 'unknown';
}
