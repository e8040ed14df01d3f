/**
 * What the ARM and Graph emulators share around their own request handling: the request log
 * tests assert on, the Node listener, the operation name a route match gives the log and the
 * fault registry, and the order of the steps of a request ({@link RecordingEmulator.answer}:
 * read, check, parse, fault, route). The steps' errors, envelopes and headers are each
 * emulator's own (CONTRACTS §1 vs §3).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRegistry, FiredFault } from './arm/faults';
import type { RequestLog, RequestLogEntry } from './arm/request-log';
import type { RouteMatch } from './arm/router';
import { untilClosed } from './held-calls';
import { type EmulatorReply, type HttpError, parseJsonBody, readBody } from './http-util';

/** What differs between emulators in the steps of one request. */
export interface RequestSteps {
  /** Operation name of the matched route (fault target). */
  operation: string;
  /** Path the faults' `pathIncludes` is matched against. */
  path: string;
  /** Throws the emulator's 401 (and other request preconditions) before the body is parsed. */
  precheck(): void;
  /** The emulator's 400 for a body that is not JSON. */
  invalidJson(err: Error): HttpError;
  /** The emulator's error for a fault that fired with a status. */
  faultError(fault: FiredFault, body: unknown): HttpError;
  /** Routes the request (throws the emulator's 404/405/403 first); runs after faults. */
  route(body: unknown): EmulatorReply;
  /** The emulator's error envelope for anything thrown above. */
  errorReply(err: unknown): EmulatorReply;
}

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

  /** Injected faults and latency. */
  abstract readonly faults: FaultRegistry;

  /**
   * The steps of one request, in the order every emulator runs them: read the body, precheck
   * (authentication), parse the body as JSON, wait out injected latency and fire an injected
   * fault, then route (a fault `afterApply` routes first and answers the fault instead).
   * Anything thrown becomes the emulator's error reply.
   */
  protected async answer(req: IncomingMessage, steps: RequestSteps): Promise<EmulatorReply> {
    try {
      const text = await readBody(req);
      steps.precheck();
      let body: unknown;
      try {
        body = parseJsonBody(text);
      } catch (e) {
        throw steps.invalidJson(e as Error);
      }
      const fault = this.faults.take(steps.operation, steps.path);
      const latency = this.faults.latencyMs + (fault?.rule.latencyMs ?? 0);
      if (latency > 0) await latencyFor(req, latency);
      if (fault?.held) await heldFor(req, fault.held);
      if (fault?.status === undefined) return steps.route(body);
      // Applied first (its own refusal, if any, is what the caller gets): the answer is lost.
      if (fault.rule.afterApply) steps.route(body);
      throw steps.faultError(fault, body);
    } catch (e) {
      return steps.errorReply(e);
    }
  }
}

/**
 * Waits out injected latency, or less when the caller's connection closes first: a caller that
 * gave up (its own deadline) or an emulator whose sockets were destroyed on stop leaves no timer
 * behind, so a test that injected a minute of "never answers" does not keep the process alive
 * after it. The request then goes on to its route and log entry, answering into a closed socket,
 * as a real front end finishes work its client no longer waits for.
 */
function latencyFor(req: IncomingMessage, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return untilClosed(req, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * Holds a call until the test releases it, or less when the caller's connection closes first
 * (a killed bot, an emulator stopped with its sockets destroyed): as with latency, nothing waits
 * on a connection that is gone, and the request goes on to its route as a real front end does.
 */
function heldFor(req: IncomingMessage, released: Promise<void>): Promise<void> {
  return untilClosed(req, released);
}

/** The first value of a request header. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The operation name of a route match (`unknown` when no route matched). */
export function operationOf<R extends { operation: string }>(match: RouteMatch<R>): string {
  return match.kind === 'found'
    ? match.route.operation
    : match.kind === 'method-not-allowed'
      ? match.operation
      : 'unknown';
}
