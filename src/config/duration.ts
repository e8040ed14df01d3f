/** Durations in config and commands: `90d`, `24h`, `30m`, `45s`, `1y`, or plain seconds. */
import { otherDigitIn, readTypedDigits } from '../domain/typed-digits';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 365 * 86_400_000,
};

/**
 * Parses a duration; undefined when the text is not one. Units are read without regard to case
 * (`24H`), except a capital `M`: it is what people write for a month, and read as minutes it made
 * `cooldownAfterRejection: 1M` a minute. It is no duration here; the policy file and a duration
 * setting say why with monthWrittenAsMinutes (domain/access-term.ts).
 */
export function parseDurationMs(text: string): number | undefined {
  // The blanks before the unit belong to it: with two `\s*` side by side (`\s*([smhdwy]?)\s*`)
  // a run of blanks was split every way before a refusal, quadratic in its length.
  const m = /^\s*(\d+)(?:\s*([smhdwy]))?\s*$/i.exec(text);
  if (!m || m[2] === 'M') return undefined;
  const value = Number(m[1]) * UNIT_MS[(m[2] || 's').toLowerCase()];
  return value > 0 ? value : undefined;
}

/**
 * What to say after `"８h" is not a duration` of a duration written with a digit or letter outside
 * ASCII, or undefined when it has none: `(８ is a full-width digit); use ASCII digits: 8h`, the
 * duration in ASCII when it is one in the digits chat's `--for` reads, else `examples`. Chat reads
 * full-width and Arabic-Indic digits, typed there with the keyboard at hand; config does not:
 * it is text reviewed in diffs and read by other tools, where `８h` is no `8h`. So the policy file
 * and the ACRBOT_* durations refuse them, naming the character, as they refuse a capital `M`.
 */
export function nonAsciiDuration(text: string, examples: string): string | undefined {
  const other = otherDigitIn(text);
  if (!other) return undefined;
  // Only a duration that has its unit and is one (not `０h`, nor `１Ｍ`, a month) is written out.
  const ascii = /^\s*(\d{1,20})\s*([smhdwy])\s*$/i.exec(readTypedDigits(text));
  const write = ascii && ascii[2] !== 'M' && Number(ascii[1]) > 0 ? `: ${ascii[1]}${ascii[2]}` : `, e.g. ${examples}`;
  return `(${other.char} is ${other.kind}); use ASCII ${other.digit ? 'digits' : 'letters'}${write}`;
}

/**
 * The longest ACRBOT_APPROVAL_TTL: no request waits longer for a decision. A policy's reminder
 * or escalation at or after it could never be sent (the request has expired by then).
 */
export const MAX_APPROVAL_TTL_MS = 24 * 3_600_000;

/**
 * The shortest ACRBOT_APPROVAL_TTL: below it a request expires before an approver could have
 * read its card, which is what a unit slipped (`24s` for `24h`, or a bare `24`, seconds) does.
 * No test or script sets a shorter one; they move a fake clock past the TTL instead.
 */
export const MIN_APPROVAL_TTL_MS = 5 * 60_000;

/**
 * The bounds of ACRBOT_MIN_ACCESS_DURATION and ACRBOT_MAX_ACCESS_DURATION: no access is granted
 * for less than a minute or, short of permanent access, for more than a year. A policy's terms
 * are held to them when the configured values are not known.
 */
export const MIN_ACCESS_DURATION_MS = 60_000;
export const MAX_ACCESS_DURATION_MS = 365 * 86_400_000;

/**
 * The longest duration a policy file may write anywhere (10 years). Every field has a tighter
 * limit (the access durations, ACRBOT_APPROVAL_TTL); this one keeps a value like
 * `99999999999999999999d`, which no Date can be moved by, out of every check and of the policy.
 */
export const MAX_POLICY_DURATION_MS = 10 * 365 * 86_400_000;

/** `90d`, `1y`, `8h`, `30m`, `45s`: the largest unit that writes `ms` exactly, as settings are written. */
export function formatDurationMs(ms: number): string {
  for (const unit of ['y', 'd', 'h', 'm'] as const)
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}
