/**
 * Fault injection: make the next matching request(s) fail the way a flaky or overloaded API
 * server does (429 with Retry-After, 500, 503, 504, a slow answer or a dropped connection),
 * so the bot's retry and error paths can be tested without timing tricks, and hold requests
 * until the test releases them (a call "in flight" for exactly as long as a test needs).
 */
import { CallGate, type HeldCalls } from '../held-calls';
import { forbiddenMessage } from './rbac';
import { generic, StatusError } from './status';
import type { ResourceName, Verb } from './types';

export type { HeldCalls } from '../held-calls';

/** A fault rule. Omitted match fields match anything. */
export interface FaultRule {
  /** HTTP method, e.g. 'PUT'. */
  method?: string;
  verb?: Verb;
  resource?: ResourceName;
  namespace?: string;
  name?: string;
  /** Exact path or a RegExp on the (normalised) URL path. */
  path?: string | RegExp;
  /** Status code to answer with (e.g. 429, 500, 503, 504). Omit with `delayMs` alone to only slow the request down. */
  status?: number;
  /**
   * Status message; defaults to the real server's generic text for the code, and for a 403 to
   * the authorizer's refusal of the request (who may not do what), as a missing right answers.
   */
  message?: string;
  /** Sets `Retry-After` and `details.retryAfterSeconds`. */
  retryAfterSeconds?: number;
  /**
   * Waits this long before answering (or before proceeding normally when no status/drop is set),
   * or less when the caller's connection closes first (see {@link FaultAction.delayMs}).
   */
  delayMs?: number;
  /** Destroys the socket without an HTTP answer (a network failure as the client sees it). */
  drop?: boolean;
  /** How many requests this rule hits before it expires (default 1; Infinity for "always"). */
  times?: number;
  /**
   * Runs when the rule fires, before the request is carried out: another client's write landing
   * between the caller's read and its write (with no `status`, the request then goes on normally).
   */
  meanwhile?: () => void;
}

/**
 * What the router should do for a request hit by a fault. The wait (`delayMs`, `held`) ends early
 * when the caller's connection closes (a caller past its deadline, a stopped emulator): the
 * request then goes on, answering into the closed connection, as a real API server finishes work
 * its client no longer waits for.
 */
export interface FaultAction {
  delayMs: number;
  drop: boolean;
  error?: StatusError;
  meanwhile?: () => void;
  /** For a held call: settles when the test releases it (or clears the faults). */
  held?: Promise<void>;
}

/** Request attributes a fault can match on. */
export interface FaultTarget {
  method: string;
  path: string;
  verb?: Verb;
  resource?: ResourceName;
  namespace?: string;
  name?: string;
  /** The authenticated user, for a 403's default message. */
  user?: string;
}

interface LiveRule extends FaultRule {
  remaining: number;
  gate?: CallGate;
}

/** The fault set. One per emulator, reachable as `emulator.faults`. */
export class Faults {
  private rules: LiveRule[] = [];
  /** Gates handed out by {@link hold}, released by {@link clear}. */
  private gates: CallGate[] = [];

  /** Adds a fault; returns a function that removes it. */
  inject(rule: FaultRule): () => void {
    const live: LiveRule = { ...rule, remaining: rule.times ?? 1 };
    this.rules.push(live);
    return () => {
      this.rules = this.rules.filter((r) => r !== live);
    };
  }

  /**
   * Holds the next `rule.times` (default 1) matching requests until {@link HeldCalls.release}:
   * an event to wait for (the request arrived) and a moment of the test's choosing for it to go
   * on (to its fault, if the rule has one, or to its handler), where a delay would be a guess at
   * how slow the machine is. A held request also goes on when its caller's connection closes (a
   * client past its deadline, a stopped emulator), as a delayed one does. Consumed in order with
   * the other rules.
   */
  hold(rule: Omit<FaultRule, 'delayMs'>): HeldCalls {
    const gate = new CallGate();
    this.gates.push(gate);
    this.rules.push({ ...rule, remaining: rule.times ?? 1, gate });
    return gate;
  }

  /** Removes all faults and releases every held request. */
  clear(): void {
    this.rules = [];
    for (const gate of this.gates.splice(0)) gate.release();
  }

  /** Consumes and returns the first matching fault's action, if any. */
  take(t: FaultTarget): FaultAction | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r, t));
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return {
      delayMs: rule.delayMs ?? 0,
      drop: rule.drop ?? false,
      error: rule.status
        ? generic(
            rule.status,
            rule.message ?? (rule.status === 403 ? authorizerRefusal(t) : undefined),
            rule.retryAfterSeconds,
          )
        : undefined,
      meanwhile: rule.meanwhile,
      ...(rule.gate && { held: rule.gate.take() }),
    };
  }
}

/**
 * The message the real server's authorization filter sends with a 403 (errors.NewForbidden around
 * the authorizer's forbiddenMessage): for a resource request as the RBAC module words it, for any
 * other path `forbidden: User "u" cannot get path "/version"`.
 */
function authorizerRefusal(t: FaultTarget): string {
  const user = t.user ?? 'system:anonymous';
  if (t.verb && t.resource)
    return forbiddenMessage({ user, verb: t.verb, resource: t.resource, namespace: t.namespace, name: t.name });
  return `forbidden: User ${JSON.stringify(user)} cannot ${t.method.toLowerCase()} path ${JSON.stringify(t.path)}`;
}

function matches(r: FaultRule, t: FaultTarget): boolean {
  if (r.method && r.method.toUpperCase() !== t.method) return false;
  if (r.verb && r.verb !== t.verb) return false;
  if (r.resource && r.resource !== t.resource) return false;
  if (r.namespace !== undefined && r.namespace !== t.namespace) return false;
  if (r.name !== undefined && r.name !== t.name) return false;
  if (r.path !== undefined) {
    if (typeof r.path === 'string' ? r.path !== t.path : !r.path.test(t.path)) return false;
  }
  return true;
}
