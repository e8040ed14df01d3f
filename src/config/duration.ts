/** Durations in config and commands: `90d`, `24h`, `30m`, `45s`, `1y`, or plain seconds. */

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 365 * 86_400_000,
};

/** Parses a duration; undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([smhdwy]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * UNIT_MS[(m[2] || 's').toLowerCase()];
  return value > 0 ? value : undefined;
}

/**
 * The longest ACRBOT_APPROVAL_TTL: no request waits longer for a decision. A policy's reminder
 * or escalation at or after it could never be sent (the request has expired by then).
 */
export const MAX_APPROVAL_TTL_MS = 24 * 3_600_000;
