/**
 * Comma-separated settings (ACRBOT_APPROVERS, ACRBOT_SUBSCRIPTION_IDS, ACRBOT_EXPIRY_REMINDERS…):
 * how their items are read, and the reader of a GUID list. A GUID listed twice counts once, so the
 * same approver or subscription is never counted (or called) twice.
 */
import { z } from 'zod/v3';
import { isGuid } from '../domain/identifiers';

/** The non-empty, trimmed items of a comma-separated setting. */
export function commaItems(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The items without repeats, compared without regard to case (GUIDs); the first spelling stays. */
export function uniqueIgnoringCase(items: readonly string[]): string[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = item.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A GUID list; one listed twice (GUIDs are compared without regard to case) counts once. */
export const guidList = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const items = commaItems(v ?? '');
      for (const item of items)
        if (!isGuid(item))
          ctx.addIssue({
            code: 'custom',
            message: `${name}: "${item.slice(0, 40)}" is not a GUID (Entra object ids, tenant ids and subscription ids are GUIDs)`,
          });
      return uniqueIgnoringCase(items);
    });
