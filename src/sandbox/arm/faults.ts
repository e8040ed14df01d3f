/**
 * Fault injection for the emulators (shared by ARM and Graph): "the next N calls of operation X
 * fail with status S / code C", optional extra latency, throttling replies whose `Retry-After`
 * the Azure SDK honours by itself, and calls held until the test releases them (a call "in
 * flight" for exactly as long as a test needs, whatever the machine's speed).
 */
import { CallGate, type HeldCalls } from '../held-calls';

export type { HeldCalls } from '../held-calls';

/** One fault rule. */
export interface FaultRule {
  /** Operation name as in the request log (e.g. `roleAssignments.create`), or `*` for every operation. */
  operation: string;
  /** HTTP status to answer with. Omit for a latency-only rule. */
  status?: number;
  /** Error code in the envelope. Defaults per status (429 → the emulator's throttling code, 503 → `ServiceUnavailable`, …). */
  code?: string;
  /** Error message. Defaults to the real service's text for well-known codes (e.g. `PrincipalNotFound`). */
  message?: string;
  /** How many matching calls this rule affects; default 1. `Infinity` keeps it until {@link FaultRegistry.clear}. */
  count?: number;
  /** Extra response headers. 429/503 get `Retry-After: 1` unless a retry header is given here. */
  headers?: Record<string, string>;
  /** A 429/503 that names no wait (no `Retry-After`), as a throttling proxy or an older service may answer. */
  noRetryAfter?: boolean;
  /** Delay before answering (with the fault, or normally for a latency-only rule). */
  latencyMs?: number;
  /** Only calls whose path contains this text (case-insensitive), e.g. a registry name. */
  pathIncludes?: string;
  /**
   * The call is carried out first and the fault answered instead of its reply: the write
   * happened but its answer was lost (a gateway timeout or a dropped connection after commit).
   */
  afterApply?: boolean;
}

/** A rule that fired for one call. */
export interface FiredFault {
  rule: FaultRule;
  /** Status to answer with, or undefined for latency only. */
  status: number | undefined;
  headers: Record<string, string>;
  /** For a held call: settles when the test releases it. */
  held?: Promise<void>;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  gate?: CallGate;
}

/** Per-emulator fault table. */
export class FaultRegistry {
  private rules: ActiveRule[] = [];

  /** Latency added to every call (on top of per-rule latency). */
  latencyMs = 0;

  /** Gates handed out by {@link hold}, released by {@link clear}. */
  private gates: CallGate[] = [];

  /** Adds a rule; rules are consumed in the order they were added. */
  add(rule: FaultRule): this {
    this.rules.push({ rule, remaining: rule.count ?? 1 });
    return this;
  }

  /**
   * Holds the next `rule.count` (default 1) matching calls until {@link HeldCalls.release}: an
   * event to wait for (the call arrived) and a moment of the test's choosing for it to go on,
   * where a latency would be a guess at how slow the machine is. A held call also goes on when
   * its caller's connection closes (a killed client, a stopped emulator), as injected latency
   * does. Consumed in order with the other rules.
   */
  hold(rule: Omit<FaultRule, 'latencyMs'>): HeldCalls {
    const gate = new CallGate();
    this.gates.push(gate);
    this.rules.push({ rule, remaining: rule.count ?? 1, gate });
    return gate;
  }

  /** Removes every rule and the global latency, and releases every held call. */
  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
    for (const gate of this.gates.splice(0)) gate.release();
  }

  /** Rules that still have calls left (for assertions that a fault was fully used). */
  pending(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** Consumes one call of the first matching rule, if any. */
  take(operation: string, path: string): FiredFault | undefined {
    const lowerPath = path.toLowerCase();
    const index = this.rules.findIndex(
      ({ rule }) =>
        (rule.operation === '*' || rule.operation === operation) &&
        (rule.pathIncludes === undefined || lowerPath.includes(rule.pathIncludes.toLowerCase())),
    );
    if (index < 0) return undefined;
    const active = this.rules[index]!;
    active.remaining -= 1;
    if (active.remaining <= 0) this.rules.splice(index, 1);
    const headers = { ...active.rule.headers };
    const status = active.rule.status;
    if ((status === 429 || status === 503) && !hasRetryHeader(headers) && !active.rule.noRetryAfter)
      headers['Retry-After'] = '1';
    return { rule: active.rule, status, headers, ...(active.gate && { held: active.gate.take() }) };
  }
}

function hasRetryHeader(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((h) =>
    ['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms'].includes(h.toLowerCase()),
  );
}
