/**
 * Whole-number settings (ACRBOT_MAX_PENDING_PER_USER, ACRBOT_AUDIT_ADOPT_UNSIGNED…), read from
 * decimal digits only: Number() reads 1e3 as 1000 and 0x10 as 16, so a value nobody meant would
 * otherwise be taken.
 */
import { z } from 'zod/v3';

/** The number `text` spells in decimal digits only (no sign, point, exponent or 0x), if a safe one. */
export function wholeNumber(text: string): number | undefined {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A whole number ≥ 1 with a default. */
export function positiveInt(name: string, fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      // Digits only: Number() reads 1e3 as 1000 and 0x10 as 16.
      const n = wholeNumber(v);
      if (n === undefined || n < 1 || n > 100_000) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from 1 to 100000` });
        return fallback;
      }
      return n;
    });
}
