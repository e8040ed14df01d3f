/**
 * The settings of where state and the audit trail are kept: the store, its table prefix, the
 * audit key, the signed anchors and an unsigned log's adoption. A problem never repeats a value:
 * connection strings carry account keys, and the audit key is the secret that keeps the trail
 * tamper-evident.
 */
import { z } from 'zod/v3';
import { parseAnchorTarget } from './anchor-target';
import { AUDIT_KEY_MIN_BYTES, auditKeyFromText } from './audit-key';
import { duration } from './setting-duration';
import { nonAsciiWholeNumber, wholeNumber } from './setting-number';
import { parseStorage } from './storage-setting';

/** The storage and audit settings, by name, as the settings schema (settings-schema.ts) reads them. */
export const storageSettings = {
  // The default is the sandbox's (a developer's checkout): loadConfig refuses it unset in azure mode.
  ACRBOT_STORAGE: z
    .string()
    .default('sqlite:./data/acrbot.db')
    .transform((v, ctx) => {
      const parsed = parseStorage(v);
      // The message never repeats the value: a connection string carries the account key.
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `ACRBOT_STORAGE: ${parsed}` });
      return typeof parsed === 'string' ? { kind: 'memory' as const } : parsed;
    }),
  // Digits only: Number() reads 1e3 as 1000 and 0x10 as 16, vouching for entries nobody checked.
  ACRBOT_AUDIT_ADOPT_UNSIGNED: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const seq = wholeNumber(v);
      if (seq === undefined || seq < 1) {
        const what = 'the seq of the newest audit entry (a whole number)';
        const other = nonAsciiWholeNumber(v, what, (n) => n >= 1);
        ctx.addIssue({
          code: 'custom',
          message: other ? `ACRBOT_AUDIT_ADOPT_UNSIGNED: ${other}` : `ACRBOT_AUDIT_ADOPT_UNSIGNED must be ${what}`,
        });
        return undefined;
      }
      return seq;
    }),
  ACRBOT_AUDIT_KEY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      // App Service passes a Key Vault reference it could not resolve through as text: the secret
      // is missing (it is created once by an operator) or the identity may not read it.
      if (/^@Microsoft\.KeyVault\(/i.test(v.trim())) {
        ctx.addIssue({
          code: 'custom',
          message:
            'ACRBOT_AUDIT_KEY is a Key Vault reference that App Service could not resolve: create the secret acrbot-audit-key in the vault (docs/deploy.md, "The audit key"), check that the bot identity has Key Vault Secrets User on the vault, then restart the app',
        });
        return undefined;
      }
      const key = auditKeyFromText(v);
      // The message never repeats the value: it is the key that makes the audit tamper-evident.
      if (!key)
        ctx.addIssue({
          code: 'custom',
          message: `ACRBOT_AUDIT_KEY must be at least ${AUDIT_KEY_MIN_BYTES} random bytes, base64-encoded (e.g. openssl rand -base64 32)`,
        });
      return key;
    }),
  ACRBOT_AUDIT_ANCHOR: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const parsed = parseAnchorTarget(v);
      // Never repeats the value: a connection string carries the account key.
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `ACRBOT_AUDIT_ANCHOR: ${parsed}` });
      return typeof parsed === 'string' ? undefined : parsed;
    }),
  ACRBOT_AUDIT_ANCHOR_INTERVAL: duration('ACRBOT_AUDIT_ANCHOR_INTERVAL', '1h'),
  ACRBOT_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/, {
      message: 'ACRBOT_TABLE_PREFIX must start with a letter and hold only letters and digits (at most 40)',
    })
    .optional(),
};
