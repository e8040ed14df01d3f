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

const REDACTED = new Set(REDACTED_KEYS.map((k) => k.toLowerCase()));
/** Nesting an error's own properties may have before they are cut (HTTP clients nest deeply). */
const ERR_DEPTH = 8;

/**
 * pino's error serializer with the cause as an object of its own (its code, status and Azure
 * request id kept, not only its message), then every secret key and every `headers` object at
 * any depth replaced:
 * errors of HTTP clients carry their request's configuration (`err.config.headers.Authorization`)
 * or body deeper than the logger's `*.*.key` redaction paths reach.
 */
export function serializeError(err: unknown): unknown {
  return scrub(pino.stdSerializers.errWithCause(err as Error), 0);
}

function scrub(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= ERR_DEPTH) return '[cut]';
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    out[k] = REDACTED.has(key) || key === 'headers' ? '[redacted]' : scrub(v, depth + 1);
  }
  return out;
}

/** Creates the root logger; `destination` lets tests capture every line. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'acrbot' },
      redact: { paths, censor: '[redacted]' },
      serializers: { err: serializeError },
      // Every line written during a turn or an execution carries that work's correlation id.
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
