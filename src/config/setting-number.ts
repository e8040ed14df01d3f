/**
 * Whole-number settings (ACRBOT_MAX_PENDING_PER_USER, ACRBOT_AUDIT_ADOPT_UNSIGNED, PORT…), read
 * from ASCII decimal digits only: Number() reads 1e3 as 1000 and 0x10 as 16, so a value nobody
 * meant would otherwise be taken. One written in other digits (`５`, `٥`, `²`) is refused naming
 * the character, as a duration setting is (duration.ts nonAsciiDuration).
 */
import { z } from 'zod/v3';
import { otherDigitIn, readTypedDigits } from '../domain/typed-digits';

/** The number `text` spells in decimal digits only (no sign, point, exponent or 0x), if a safe one. */
export function wholeNumber(text: string): number | undefined {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * What to say of a whole number written with a digit or letter outside ASCII (`５`, `٥`, `²`, `１ｅ３`),
 * or undefined when it has none: `"５" is not a whole number (５ is a full-width digit); use ASCII
 * digits: 5`. The number is written out when it reads as one in the digits chat reads (full-width,
 * Arabic-Indic) and `fits`; else `what` says what the setting takes. Config is text reviewed in
 * diffs and read by other tools, where `５` is no `5`: it reads none of them.
 */
export function nonAsciiWholeNumber(text: string, what: string, fits: (n: number) => boolean): string | undefined {
  const other = otherDigitIn(text);
  if (!other) return undefined;
  const ascii = wholeNumber(readTypedDigits(text).trim());
  const write = ascii !== undefined && fits(ascii) ? `: ${ascii}` : `, ${what}`;
  const chars = [...text];
  const shown = chars.length > 20 ? `${chars.slice(0, 20).join('')}…` : text;
  // Digits even for a letter (`１ｅ３`): a whole number is written in digits alone.
  return `"${shown}" is not a whole number (${other.char} is ${other.kind}); use ASCII digits${write}`;
}

/** A whole number ≥ 1 with a default. */
export function positiveInt(name: string, fallback: number) {
  const what = 'a whole number from 1 to 100000';
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      // Digits only: Number() reads 1e3 as 1000 and 0x10 as 16.
      const n = wholeNumber(v);
      if (n === undefined || n < 1 || n > 100_000) {
        const other = nonAsciiWholeNumber(v, what, (m) => m >= 1 && m <= 100_000);
        ctx.addIssue({ code: 'custom', message: other ? `${name}: ${other}` : `${name} must be ${what}` });
        return fallback;
      }
      return n;
    });
}
