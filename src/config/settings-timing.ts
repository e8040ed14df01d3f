/**
 * The duration settings of the bot's work: a credential's longest lifetime, how often the
 * scheduler and the drift check run, how long a lease holds, and the terms of access with their
 * reminders. Their bounds are checked across settings by loadConfig (config.ts).
 */
import { z } from 'zod/v3';
import { duration, expiryReminders } from './setting-duration';

/** The timing settings, by name, as the settings schema (settings-schema.ts) reads them. */
export const timingSettings = {
  ACRBOT_SECRET_MAX_EXPIRY: duration('ACRBOT_SECRET_MAX_EXPIRY', '365d'),
  ACRBOT_SWEEP_INTERVAL: duration('ACRBOT_SWEEP_INTERVAL', '30s'),
  ACRBOT_LEASE_TTL: duration('ACRBOT_LEASE_TTL', '60s'),
  ACRBOT_DRIFT_INTERVAL: duration('ACRBOT_DRIFT_INTERVAL', '15m'),
  ACRBOT_DEFAULT_ACCESS_DURATION: duration('ACRBOT_DEFAULT_ACCESS_DURATION', '30d'),
  ACRBOT_MAX_ACCESS_DURATION: duration('ACRBOT_MAX_ACCESS_DURATION', '90d'),
  ACRBOT_MIN_ACCESS_DURATION: duration('ACRBOT_MIN_ACCESS_DURATION', '1h'),
  ACRBOT_ALLOW_PERMANENT: z
    .enum(['true', 'false'], { message: 'ACRBOT_ALLOW_PERMANENT must be "true" or "false"' })
    .default('false'),
  ACRBOT_EXPIRY_REMINDERS: expiryReminders(),
};
