/**
 * Settings that name where acrbot sends or posts: URLs checked by url-settings.ts, and Teams
 * channel ids. Each problem is listed under the setting's name.
 */
import { z } from 'zod/v3';
import { CONVERSATION_ID, conversationIdFromLinkHint } from './policy-file';
import type { UrlCheck } from './url-settings';

/** A URL setting checked by `check` (url-settings.ts); the problem is listed under the setting's name. */
export const urlSetting = (name: string, check: (text: string) => UrlCheck) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const checked = check(v);
      if ('problem' in checked) {
        ctx.addIssue({ code: 'custom', message: `${name} ${checked.problem}` });
        return undefined;
      }
      return checked.url;
    });

/**
 * A Teams channel id as the Bot Framework names it; a value copied out of a channel link (URL
 * encoded, `19%3a…`, or decoded with the rest of the link after it) is named as such, since cards
 * sent there would otherwise fail at the first request.
 */
export const channelId = (name: string) =>
  z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined || CONVERSATION_ID.test(v)) return;
      const fromLink = conversationIdFromLinkHint(v);
      ctx.addIssue({ code: 'custom', message: `${name} must be a Teams channel id (19:…@thread.tacv2)${fromLink}` });
    });
