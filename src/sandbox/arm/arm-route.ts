/**
 * The shape of an ARM route: its pattern, operation name, the RBAC action the caller needs, and
 * a handler over a parsed request.
 */
import type { EmulatorReply } from '../http-util';
import type { RouteDefinition } from './router';
import type { ArmState } from './state';

/** A parsed request, as route handlers see it. */
export interface ArmRequestContext {
  state: ArmState;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
  /** Path with repeated slashes collapsed (case kept). */
  path: string;
  /** `https://host:port` of this emulator, for `nextLink`s. */
  baseUrl: string;
}

/**
 * One ARM route. Route files are tables of these literals, alike in shape by design: one literal
 * per ARM operation, found by its operation name; what routes share in logic lives in helpers
 * (`readRoutes`, `registryChildReadRoutes`).
 */
export interface ArmRoute extends RouteDefinition {
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /**
   * RBAC action checked before the handler runs (403 `AuthorizationFailed` when denied at the
   * request's scope). Omitted for routes that check inside the handler.
   */
  action?: string;
  handle(ctx: ArmRequestContext): EmulatorReply;
}

/** 200 with a JSON body. */
export function ok(body: unknown): EmulatorReply {
  return { status: 200, body };
}
