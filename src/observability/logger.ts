/**
 * Structured logs (pino). Secrets are redacted by key wherever they appear, and pino's JSON
 * encoding escapes CR/LF inside values, so user text cannot forge log lines (G12).
 */
import pino from 'pino';
import { currentCorrelationId } from './correlation';

/** The logger type used across acrbot. */
export type Logger = pino.Logger;

/** Keys whose values never reach a log line. */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'secretText',
  'token',
  'accessToken',
  'authorization',
  'Authorization',
  'kubeconfig',
  'value',
  'passwords',
  'MicrosoftAppPassword',
  'connectionString',
  'clientSecret',
];

/** Creates the root logger; `destination` lets tests capture every line. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'acrbot' },
      redact: { paths, censor: '[redacted]' },
      // Every line written during a turn or an execution carries that work's correlation id.
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
