/**
 * The settings of the personal tab: the host it is served from and the app registration its
 * sign-on tokens are for (both or neither, checked by loadConfig), and how long it reuses the
 * access matrix read from Azure.
 */
import { z } from 'zod/v3';
import { isGuid } from '../domain/identifiers';
import { duration } from './setting-duration';

/** The tab's settings, by name, as the settings schema (settings-schema.ts) reads them. */
export const tabSettings = {
  ACRBOT_TAB_DOMAIN: z
    .string()
    .optional()
    .refine(
      (v) => !v || /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(v),
      {
        message:
          'ACRBOT_TAB_DOMAIN must be the lowercase host the tab is served from (no scheme, port or path), as in api://<domain>/<app id>',
      },
    ),
  ACRBOT_TAB_APP_ID: z
    .string()
    .optional()
    .refine((v) => !v || isGuid(v), {
      message: "ACRBOT_TAB_APP_ID must be the (client) id of the tab's Entra app registration, a GUID",
    }),
  ACRBOT_TAB_INVENTORY_TTL: duration('ACRBOT_TAB_INVENTORY_TTL', '60s'),
};
