/**
 * The settings of the running bot's day to day: its log level, the per-user abuse limits (G16)
 * and how long an unanswered dialog question is kept.
 */
import { z } from 'zod/v3';
import { duration } from './setting-duration';
import { positiveInt } from './setting-number';

/**
 * ACRBOT_READS_PER_10_MINUTES when unset. A person at the keyboard runs a few read commands a
 * minute at most, and 30 lets a burst of investigation through. It bounds what one user (or a
 * script with their token) costs acrbot's own ARM principal, whose read bucket every user shares
 * (250 reads, refilled 25 a second, per subscription and principal): 30 commands at once, a
 * handful of reads each, stay under the bucket; 180 an hour are a few percent of its refill.
 */
const DEFAULT_READS_PER_10_MINUTES = 30;

/** The day-to-day settings, by name, as the settings schema (settings-schema.ts) reads them. */
export const operationSettings = {
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  ACRBOT_MAX_PENDING_PER_USER: positiveInt('ACRBOT_MAX_PENDING_PER_USER', 5),
  ACRBOT_REQUESTS_PER_MINUTE: positiveInt('ACRBOT_REQUESTS_PER_MINUTE', 10),
  ACRBOT_READS_PER_10_MINUTES: positiveInt('ACRBOT_READS_PER_10_MINUTES', DEFAULT_READS_PER_10_MINUTES),
  ACRBOT_DIALOG_TTL: duration('ACRBOT_DIALOG_TTL', '30m'),
};
