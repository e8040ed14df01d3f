/**
 * The switches that allow what acrbot otherwise refuses (the sandbox under NODE_ENV=production,
 * a store in memory in azure mode, clusters with local accounts), and NODE_ENV, which decides
 * what production is.
 */
import { z } from 'zod/v3';

/** The safeguard switches and NODE_ENV, by name, as the settings schema (settings-schema.ts) reads them. */
export const safeguardSettings = {
  ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION: z
    .enum(['true', 'false'], { message: 'ACRBOT_ALLOW_SANDBOX_IN_PRODUCTION must be "true" or "false"' })
    .default('false'),
  ACRBOT_ALLOW_EPHEMERAL_STORAGE: z
    .enum(['true', 'false'], { message: 'ACRBOT_ALLOW_EPHEMERAL_STORAGE must be "true" or "false"' })
    .default('false'),
  /** Unset: false in azure mode; true in sandbox mode, whose demo cluster aks-dev has local accounts. */
  ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS: z
    .enum(['true', 'false'], { message: 'ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS must be "true" or "false"' })
    .optional(),
  // Compared exactly, here as by Node libraries: "Production" would quietly not be production (G1).
  NODE_ENV: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === 'production' || v.toLowerCase() !== 'production', {
      message: 'NODE_ENV must be written "production" in lower case (it is compared exactly)',
    }),
};
