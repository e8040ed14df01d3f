/**
 * Fault injection for the emulators (shared by ARM and Graph): "the next N calls of operation X
 * fail with status S / code C", optional extra latency, and throttling replies whose
 * `Retry-After` the Azure SDK honours by itself.
 */

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
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/** Per-emulator fault table. */
export class FaultRegistry {
  private rules: ActiveRule[] = [];

  /** Latency added to every call (on top of per-rule latency). */
  latencyMs = 0;

  /** Adds a rule; rules are consumed in the order they were added. */
  add(rule: FaultRule): this {
    this.rules.push({ rule, remaining: rule.count ?? 1 });
    return this;
  }

  /** Removes every rule and the global latency. */
  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
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
    return { rule: active.rule, status, headers };
  }
}

function hasRetryHeader(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((h) =>
    ['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms'].includes(h.toLowerCase()),
  );
}
