/**
 * How long access lasts (G17): the `--for DURATION` of grant, secret and extend, checked
 * against the configured limits, and the sentence cards show ("until 2027-01-04 10:00 UTC,
 * 30 days").
 */
import { UserFacingError } from './errors';
import type { AccessRequest, AccessTerm, RequestState } from './request';
import { cutText } from './text';
import { readTypedDigits, unreadDigitIn } from './typed-digits';

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
const DURATION = /^(\d+)([mhdwy])$/i;

/**
 * `text` with the digits and letters of other widths and scripts as `--for` reads them: full
 * width (`８ｈ`, typed with a CJK input method on), and Arabic-Indic and Extended Arabic-Indic
 * digits (`٨h`, `۸h`), as ASCII ({@link readTypedDigits}). Refused as "not a duration", they
 * looked to their author like what `--for` takes. Superscript and circled digits (`²h`, `①h`)
 * stay as typed, refused: no one types them for a number. Only for reading: errors quote what was
 * typed. The command parser reads option look-alikes through it too (`--duration ８ｈ`, `--for８h`).
 */
export function durationText(text: string): string {
  return readTypedDigits(text);
}

/**
 * What to say of a duration written with a capital `M` (`1M`), or undefined for any other text.
 * Units are read without regard to case (`24H` is 24 hours), but `M` is the one unit people write
 * for a month: read as minutes, `--for 1M` would ask for a minute, and a policy's
 * `cooldownAfterRejection: 1M` would end a month's cooldown after one. So it is refused wherever
 * a duration is read, in these words in chat's `--for`, the policy file and the ACRBOT_* duration
 * settings, ACRBOT_EXPIRY_REMINDERS included (src/config/setting-duration.ts).
 */
export function monthWrittenAsMinutes(
  text: string,
  limits?: Pick<AccessLimits, 'minMs' | 'maxMs'>,
): string | undefined {
  const digits = /^\s*(\d{1,9})\s*M\s*$/.exec(text)?.[1];
  if (digits === undefined) return undefined;
  const n = Number(digits);
  const months = n === 1 ? 'a month' : `${n} months`;
  const minutes = n === 1 ? 'a minute' : `${n} minutes`;
  // A `--for` is read within `limits`: a suggestion they refuse is none (1M under 1h–7d).
  const allowed = (ms: number) => !limits || (ms >= limits.minMs && ms <= limits.maxMs);
  // Whole years in years, as the month words are read (term-words.ts): 12M as 360d would be 5
  // days short of the year meant, and "for 12 months" is answered 1y.
  const years = n > 0 && n % 12 === 0 ? n / 12 : undefined;
  const month =
    years === undefined
      ? { ms: n * 30 * UNIT_MS.d, way: `${n * 30}d for about ${months}` }
      : { ms: years * UNIT_MS.y, way: `${years}y for ${years === 1 ? 'a year' : `${years} years`}` };
  const ways = [...(allowed(month.ms) ? [month.way] : []), ...(allowed(n * UNIT_MS.m) ? [`${n}m for ${minutes}`] : [])];
  const write = ways.length
    ? `write ${ways.join(', or ')}`
    : `choose a duration between ${shortDuration(limits!.minMs, 'up')} and ${shortDuration(limits!.maxMs, 'down')}`;
  return `\`${n}M\`: M is read as minutes here — ${write}`;
}

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

/**
 * How long is left before an end ("36 hours", "3 days", "1 minute"), the one rule of the reminder
 * cards and the tab. Never overstated, as it is what is left: whole units that have passed, in
 * hours below two days ("1 day" for 47 hours would read as about a day, "2 days" for 36 hours as
 * more than is left). Counted from the minute, the precision times are shown at, so a 30-day
 * grant seconds old still ends "in 30 days".
 */
export function describeTimeLeft(ms: number): string {
  const left = Math.max(1, Math.ceil(ms / UNIT_MS.m)) * UNIT_MS.m;
  const [n, unit] =
    left >= 2 * UNIT_MS.d
      ? [Math.floor(left / UNIT_MS.d), 'day']
      : left >= UNIT_MS.h
        ? [Math.floor(left / UNIT_MS.h), 'hour']
        : [left / UNIT_MS.m, 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Short form for config and help: `30d`, `12h`, `90m`. A length that is no whole number of
 * minutes (a policy's `maxDuration: 90s`) is rounded to one, as `--for` takes no seconds:
 * `'down'` for a maximum (a limit of 90s is no `2m`, which it refuses), `'up'` for a minimum,
 * to the nearest otherwise.
 */
export function shortDuration(ms: number, round: 'down' | 'up' | 'nearest' = 'nearest'): string {
  const toMinute = round === 'down' ? Math.floor : round === 'up' ? Math.ceil : Math.round;
  const whole = toMinute(ms / UNIT_MS.m) * UNIT_MS.m;
  for (const [unit, size] of [
    ['y', UNIT_MS.y],
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
  ] as const)
    if (whole % size === 0 && whole > 0) return `${whole / size}${unit}`;
  return `${whole / UNIT_MS.m}m`;
}

/** `--for`'s example within a range: the default term, or the maximum if lower (rounded down). */
function exampleTerm(defaultMs: number | undefined, maxMs: number): string {
  return shortDuration(Math.min(defaultMs ?? maxMs, maxMs), 'down');
}

/** True when no `--for` was given (absent or blank): the deployment's default term applies. */
export function isDefaultTerm(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}

/** The part of a policy rule that limits a term: its id and maxDuration. */
export interface TermRule {
  id: string;
  maxDurationMs?: number;
}

/** Why a term is refused: `validation.duration` (the deployment's limits) or `policy.maxDuration` (the rule's). */
export interface TermRefusal {
  code: 'validation.duration' | 'policy.maxDuration';
  message: string;
}

/**
 * Why `term` lies outside what a request may ask for, or undefined when it does not: the
 * deployment's `limits` (none: no time-boxing, any length), cut by the maxDuration of the `rule`
 * that covers the request, if known. The sentence names the range that applies ("between 1h and
 * 8h (rule prod-short)"), so one refusal is enough: naming the deployment's wider range under a
 * shorter rule sent people round twice. `typed`: the term as the user wrote it, echoed back.
 */
export function termRefusal(
  term: AccessTerm,
  limits: AccessLimits | undefined,
  rule?: TermRule,
  typed?: string,
): TermRefusal | undefined {
  const minMs = limits?.minMs ?? 0;
  const deploymentMaxMs = limits?.maxMs ?? Number.POSITIVE_INFINITY;
  const ruleMaxMs = rule?.maxDurationMs;
  const ruleCuts = ruleMaxMs !== undefined && ruleMaxMs < deploymentMaxMs;
  const maxMs = ruleCuts ? ruleMaxMs : deploymentMaxMs;
  const bounds =
    minMs > 0
      ? `between ${shortDuration(minMs, 'up')} and ${shortDuration(maxMs, 'down')}`
      : `of at most ${shortDuration(maxMs, 'down')}`;
  const range = `${bounds}${ruleCuts ? ` (rule ${rule!.id})` : ''}`;
  if (term.permanent) {
    const example = exampleTerm(limits?.defaultMs, maxMs);
    if (limits && !limits.allowPermanent)
      return {
        code: 'validation.duration',
        message: `Permanent access is not allowed here; choose a duration ${range}, e.g. --for ${example}.`,
      };
    if (ruleMaxMs !== undefined)
      return {
        code: 'policy.maxDuration',
        message: `Rule ${rule!.id} allows no permanent access; choose a duration ${range}, e.g. --for ${example}.`,
      };
    return undefined;
  }
  const ms = term.durationMs;
  if (ms === undefined || (ms >= minMs && ms <= maxMs)) return undefined;
  const value = typed ?? (ms > 0 ? shortDuration(ms) : '0m');
  if (ms < minMs)
    return {
      code: 'validation.duration',
      message: `${value} is shorter than the minimum access of ${shortDuration(minMs, 'up')}; choose a duration ${range}.`,
    };
  return {
    code: ruleCuts ? 'policy.maxDuration' : 'validation.duration',
    message: `${value} is longer than the maximum access of ${shortDuration(maxMs, 'down')}; choose a duration ${range}.`,
  };
}

/**
 * Why a waiting request's `term`, allowed when it was asked for, can no longer be granted under
 * the deployment's `limits` and the `rule` in force now (a reload lowered the rule's maxDuration;
 * ACRBOT_ALLOW_PERMANENT or ACRBOT_MAX_ACCESS_DURATION changed at a restart): "asks for 30d, but
 * rule prod now grants at most 8h". Undefined when it still can. Only the upper end counts: a
 * term under a raised minimum gives less access than the deployment allows, not more.
 */
export function termPastLimitsNow(
  term: AccessTerm,
  limits: AccessLimits | undefined,
  rule?: TermRule,
): string | undefined {
  if (!termRefusal(term, limits && { ...limits, minMs: 0 }, rule)) return undefined;
  const deploymentMaxMs = limits?.maxMs ?? Number.POSITIVE_INFINITY;
  const ruleMaxMs = rule?.maxDurationMs;
  const byRule = ruleMaxMs !== undefined && ruleMaxMs < deploymentMaxMs;
  const grants = `now grants at most ${shortDuration(byRule ? ruleMaxMs : deploymentMaxMs, 'down')}`;
  const grantor = byRule ? `rule ${rule!.id}` : 'acrbot';
  if (!term.permanent) return `asks for ${shortDuration(term.durationMs!)}, but ${grantor} ${grants}`;
  const bySettings = limits !== undefined && !limits.allowPermanent;
  const refused = bySettings
    ? 'permanent access is no longer allowed here'
    : `rule ${rule!.id} no longer allows permanent access`;
  // The rule just named is "it", not named twice.
  return `asks for permanent access, but ${refused} (${!bySettings && byRule ? 'it' : grantor} ${grants})`;
}

/**
 * Parses `--for` (`30m`, `12h`, `30d`, `12w`, `1y`, or `permanent`) within the limits; the
 * default when absent. Throws a {@link UserFacingError} (`validation.duration`) with the allowed
 * range, and `rangeHint` after it (the rules that allow less than the deployment: which one covers
 * the request is known only once it is planned, when {@link termRefusal} checks the term again).
 */
export function parseAccessDuration(
  text: string | undefined,
  limits: AccessLimits,
  options: { rangeHint?: string } = {},
): AccessTerm {
  if (text === undefined || isDefaultTerm(text)) return { durationMs: limits.defaultMs };
  const read = durationText(text);
  // Before the case is dropped: `1M` is most likely a month, which lower-cased would be a minute.
  const month = monthWrittenAsMinutes(read, limits);
  if (month) throw new UserFacingError('validation.duration', `${month}.`);
  const normalised = read.trim().toLowerCase();
  const value = text.trim().toLowerCase();
  const m = DURATION.exec(normalised);
  if (normalised !== 'permanent' && !m) {
    // `²h`, `①h` look like `2h`, `1h` to their author: the refusal names the character not read.
    const other = unreadDigitIn(text);
    throw new UserFacingError(
      'validation.duration',
      `"${cutText(text, 30)}" is not a duration${other ? ` (${other.char} is ${other.kind})` : ''}; use a number and a unit (m, h, d, w, y), e.g. --for ${exampleTerm(limits.defaultMs, limits.maxMs)}, between ${shortDuration(limits.minMs, 'up')} and ${shortDuration(limits.maxMs, 'down')}.`,
    );
  }
  // Zero is a duration, only too short; many digits make one too long.
  const term: AccessTerm = m ? { durationMs: Number(m[1]) * UNIT_MS[m[2].toLowerCase()] } : { permanent: true };
  const refusal = termRefusal(term, limits, undefined, value.length > 30 ? `${cutText(value, 30)}…` : value);
  if (refusal)
    throw new UserFacingError(
      refusal.code,
      options.rangeHint ? `${refusal.message} ${options.rangeHint}` : refusal.message,
    );
  return term;
}

/** `2027-01-04 10:00 UTC`: the minute it falls in (rounded down), as ends and deadlines are shown. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * {@link formatUtc} rounded up to the next whole minute: for a time someone must wait until. A
 * cooldown ending at 10:00:30 shown as "until 10:00" is refused again when tried at 10:00.
 */
export function formatUtcUp(iso: string): string {
  const ms = Date.parse(iso);
  return formatUtc(new Date(Math.ceil(ms / UNIT_MS.m) * UNIT_MS.m).toISOString());
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

/** The term of access granted before acrbot gave access an end (or recorded without one). */
const NO_END = 'no end (granted before acrbot gave access an end)';

/**
 * The access line of a card: "until 2027-01-04 10:00 UTC, 30 days" once granted, "30 days from
 * when it is granted" before, "permanent", "30 days (never granted)" for a request that ended
 * without it ("not granted" when its run failed), or "no end (granted before acrbot gave access an
 * end)" for old requests.
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
  if (!term) return NO_END;
  // Its end no longer matters: the revocation's retry finishes it.
  if (request.state === 'succeeded' && term.revokingSince)
    return `being revoked since ${formatUtc(term.revokingSince)}`;
  if (term.permanent) return 'permanent (no expiry)';
  // A term with neither a length nor an end says no more than one never given an end.
  if (!term.durationMs) return term.expiresAt ? `until ${formatUtc(term.expiresAt)}` : NO_END;
  const length = describeDurationMs(term.durationMs);
  if (term.expiresAt) return `until ${formatUtc(term.expiresAt)}, ${length}`;
  return `${length} from when it is granted`;
}

/** When access granted at `grantedAt` ends (undefined for permanent or pre-time-boxing requests). */
export function accessEndsAt(term: AccessTerm | undefined, grantedAt: Date): string | undefined {
  if (!term || term.permanent || !term.durationMs) return undefined;
  return new Date(grantedAt.getTime() + term.durationMs).toISOString();
}
