/**
 * How long access lasts (G17): the `--for DURATION` of grant, secret and extend, checked
 * against the configured limits, and the sentence cards show ("until 2027-01-04 10:00 UTC,
 * 30 days").
 */
import { UserFacingError } from './errors';
import type { AccessRequest, AccessTerm, RequestState } from './request';

/** Limits from config (ACRBOT_DEFAULT/MIN/MAX_ACCESS_DURATION, ACRBOT_ALLOW_PERMANENT). */
export interface AccessLimits {
  defaultMs: number;
  minMs: number;
  maxMs: number;
  allowPermanent: boolean;
}

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 365 * 86_400_000,
};
const DURATION = /^(\d{1,5})([mhdwy])$/i;

/**
 * `30 minutes`, `12 hours`, `30 days`, `12 weeks`, `1 year`: the largest exact unit; a length that
 * is no whole number of minutes or hours is rounded ("about 55 days", {@link approximately}).
 */
export function describeDurationMs(ms: number): string {
  const units: Array<[number, string]> = [
    [UNIT_MS.y, 'year'],
    [UNIT_MS.w, 'week'],
    [UNIT_MS.d, 'day'],
    [UNIT_MS.h, 'hour'],
    [UNIT_MS.m, 'minute'],
  ];
  for (const [size, name] of units) {
    // Weeks only when the user would say weeks (84 days reads better as 12 weeks; 14 days as 14 days).
    if (name === 'week' && ms < 4 * UNIT_MS.w) continue;
    if (ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return approximately(ms);
}

/**
 * A length that is no whole unit, rounded in the largest unit that still reads well: days from two
 * days on, hours from two hours on, else minutes. An extended term is one: the extension moved its
 * end to when it was granted plus its term, to the millisecond ("79427 minutes" before).
 */
function approximately(ms: number): string {
  const units: Array<[number, string]> = [
    [UNIT_MS.d, 'day'],
    [UNIT_MS.h, 'hour'],
    [UNIT_MS.m, 'minute'],
  ];
  for (const [size, name] of units)
    if (ms >= 2 * size || (name === 'minute' && ms >= size)) {
      const n = Math.round(ms / size);
      return `about ${n} ${name}${n === 1 ? '' : 's'}`;
    }
  return 'less than a minute';
}

/** Short form for config and help: `30d`, `12h`, `90m`. */
export function shortDuration(ms: number): string {
  for (const [unit, size] of [
    ['y', UNIT_MS.y],
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 60_000)}m`;
}

/** True when no `--for` was given (absent or blank): the deployment's default term applies. */
export function isDefaultTerm(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}

/**
 * Parses `--for` (`30m`, `12h`, `30d`, `12w`, `1y`, or `permanent`) within the limits; the
 * default when absent. Throws a {@link UserFacingError} (`validation.duration`) with the allowed range.
 */
export function parseAccessDuration(text: string | undefined, limits: AccessLimits): AccessTerm {
  if (text === undefined || isDefaultTerm(text)) return { durationMs: limits.defaultMs };
  const value = text.trim().toLowerCase();
  const range = `between ${shortDuration(limits.minMs)} and ${shortDuration(limits.maxMs)}`;
  if (value === 'permanent') {
    if (!limits.allowPermanent)
      throw new UserFacingError(
        'validation.duration',
        `Permanent access is not allowed here; choose a duration ${range}, e.g. --for ${shortDuration(limits.defaultMs)}.`,
      );
    return { permanent: true };
  }
  const m = DURATION.exec(value);
  if (!m || Number(m[1]) === 0)
    throw new UserFacingError(
      'validation.duration',
      `"${text.slice(0, 30)}" is not a duration; use a number and a unit (m, h, d, w, y), e.g. --for 30d, ${range}.`,
    );
  const ms = Number(m[1]) * UNIT_MS[m[2].toLowerCase()];
  if (ms < limits.minMs || ms > limits.maxMs)
    throw new UserFacingError(
      'validation.duration',
      ms < limits.minMs
        ? `${value} is shorter than the minimum access of ${shortDuration(limits.minMs)}; choose a duration ${range}.`
        : `${value} is longer than the maximum access of ${shortDuration(limits.maxMs)}; choose a duration ${range}.`,
    );
  return { durationMs: ms };
}

/** `2027-01-04 10:00 UTC`. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Final states a request reaches without running: refused, withdrawn, or undecided in time. */
const NEVER_RAN: ReadonlySet<RequestState> = new Set(['rejected', 'cancelled', 'expired']);

/**
 * True when a request ended without its access: it never ran (rejected, cancelled, expired) or
 * its run failed. Its term is only what was asked for.
 */
export function endedWithoutAccess(state: RequestState): boolean {
  return NEVER_RAN.has(state) || state === 'failed';
}

/**
 * The access line of a card: "until 2027-01-04 10:00 UTC, 30 days" once granted, "30 days from
 * when it is granted" before, "permanent", "30 days (never granted)" for a request that ended
 * without it ("not granted" when its run failed), or "no expiry (granted before time-boxing)"
 * for old requests.
 */
export function describeAccess(request: Pick<AccessRequest, 'access' | 'state'>): string {
  const term = request.access;
  if (term?.revokedAt) {
    const by = term.revokedBy && term.revokedBy.objectId !== 'acrbot' ? ` by ${term.revokedBy.name}` : '';
    return term.expiresAt && Date.parse(term.revokedAt) >= Date.parse(term.expiresAt) && !by
      ? `Expired and revoked at ${formatUtc(term.revokedAt)}`
      : `Revoked at ${formatUtc(term.revokedAt)}${by}`;
  }
  // Ended without access: what was asked for, not a term that starts "when it is granted". A
  // failed run is "not granted" rather than "never": what it may have made (a role assignment
  // whose answer was lost, a credential) is there until acrbot deletes it again.
  if (endedWithoutAccess(request.state)) {
    const ungranted = request.state === 'failed' ? 'not granted' : 'never granted';
    const asked = term?.permanent ? 'permanent' : term?.durationMs ? describeDurationMs(term.durationMs) : '';
    return asked ? `${asked} (${ungranted})` : ungranted;
  }
  if (!term) return 'no expiry (granted before time-boxing)';
  // Its end no longer matters: the revocation's retry finishes it.
  if (request.state === 'succeeded' && term.revokingSince)
    return `being revoked since ${formatUtc(term.revokingSince)}`;
  if (term.permanent) return 'permanent (no expiry)';
  const length = term.durationMs ? describeDurationMs(term.durationMs) : '';
  if (term.expiresAt) return `until ${formatUtc(term.expiresAt)}, ${length}`;
  return `${length} from when it is granted`;
}

/** When access granted at `grantedAt` ends (undefined for permanent or pre-time-boxing requests). */
export function accessEndsAt(term: AccessTerm | undefined, grantedAt: Date): string | undefined {
  if (!term || term.permanent || !term.durationMs) return undefined;
  return new Date(grantedAt.getTime() + term.durationMs).toISOString();
}
