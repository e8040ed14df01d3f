/**
 * Duration settings (ACRBOT_APPROVAL_TTL, ACRBOT_SWEEP_INTERVAL…, and the list of them
 * ACRBOT_EXPIRY_REMINDERS), read by parseDurationMs (duration.ts). Their bounds are checked
 * across settings by loadConfig; here only whether each is a duration at all.
 */
import { z } from 'zod/v3';
import { monthWrittenAsMinutes } from '../domain/access-term';
import { MAX_ACCESS_DURATION_MS, nonAsciiDuration, parseDurationMs } from './duration';
import { commaItems } from './setting-list';

/**
 * The problem of setting `name` holding `text`, a duration written with a capital M (`1M`, a
 * month to most), told why in the words chat and the policy file use; undefined for other text.
 */
function monthProblem(name: string, text: string): string | undefined {
  const month = monthWrittenAsMinutes(text);
  return month ? `${name}: ${month}` : undefined;
}

/**
 * The problem of setting `name` holding `text`, no duration (quoted as `shown`): written with a
 * digit or letter outside ASCII (`８h`), named; else `examples` of what it takes.
 */
function notADuration(name: string, text: string, shown: string, examples: string): string {
  const other = nonAsciiDuration(text, examples);
  return `${name}: "${shown}" is not a duration${other ? ` ${other}` : `; use e.g. ${examples}`}`;
}

/** A duration setting, in milliseconds, with the duration `fallback` when unset. */
export const duration = (name: string, fallback: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ms = parseDurationMs(v ?? fallback);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: monthProblem(name, v ?? '') ?? notADuration(name, v ?? '', v ?? '', '24h, 90m or 7d'),
        });
        return 0;
      }
      return ms;
    });

/**
 * ACRBOT_EXPIRY_REMINDERS: how long before the end of access or a credential its requester is
 * reminded, in milliseconds, longest first and each once (default 7d,1d; `none` for no reminders).
 */
export const expiryReminders = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const all = commaItems(v ?? '7d,1d');
      // "none" beside a duration is one or the other: neither is taken for the operator.
      if (all.includes('none') && all.length > 1)
        ctx.addIssue({
          code: 'custom',
          message: 'ACRBOT_EXPIRY_REMINDERS: "none" means no reminders and cannot be combined with durations',
        });
      const items = all.filter((s) => s !== 'none');
      const ms: number[] = [];
      for (const item of items) {
        const d = parseDurationMs(item);
        if (d === undefined)
          ctx.addIssue({
            code: 'custom',
            message:
              monthProblem('ACRBOT_EXPIRY_REMINDERS', item) ??
              notADuration('ACRBOT_EXPIRY_REMINDERS', item, item.slice(0, 20), '7d,1d (or none)'),
          });
        // No term or credential lasts longer than a year, so such a reminder would never be
        // sent; and one like 99999999999999999999d is past anything a date can be moved by.
        else if (d > MAX_ACCESS_DURATION_MS)
          ctx.addIssue({
            code: 'custom',
            message: `ACRBOT_EXPIRY_REMINDERS: ${item.length > 30 ? `${item.slice(0, 30)}…` : item} before the end is longer than any access or credential lasts (at most 1y), so it would never be sent`,
          });
        else ms.push(d);
      }
      return [...new Set(ms)].sort((a, b) => b - a);
    });
