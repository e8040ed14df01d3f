/**
 * Structured logs (pino). Secrets are redacted by key wherever they appear, and pino's JSON
 * encoding escapes CR/LF inside values, so user text cannot forge log lines (G12).
 */
import pino from 'pino';
import { currentCorrelationId } from './correlation';

/** The logger type used across acrbot. */
export type Logger = pino.Logger;

/**
 * Keys whose values never reach a log line: acrbot's own names, and the names the services it
 * talks to use (OAuth's `client_secret`/`access_token`/`refresh_token`/`assertion`, Graph's
 * `passwordCredentials`/`secretText`, a pull secret's `.dockerconfigjson`, a SAS's `sig`, a
 * storage `accountKey`), should a body or a query ever be logged.
 */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'secretText',
  'token',
  'accessToken',
  'access_token',
  'refresh_token',
  'client_secret',
  'assertion',
  'authorization',
  'Authorization',
  'cookie',
  'kubeconfig',
  '.dockerconfigjson',
  'dockerconfigjson',
  'value',
  'passwords',
  'passwordCredentials',
  'MicrosoftAppPassword',
  'connectionString',
  'clientSecret',
  'accountKey',
  'privateKey',
  'apiKey',
  'sig',
];

const REDACTED = new Set(REDACTED_KEYS.map((k) => k.toLowerCase()));
/** Nesting an error's own properties may have before they are cut (HTTP clients nest deeply). */
const ERR_DEPTH = 8;

/**
 * pino's error serializer, extended: every secret key and every `headers` object at any depth is
 * replaced (errors of HTTP clients carry their request's configuration,
 * `err.config.headers.Authorization`, or body deeper than the logger's `*.*.key` redaction paths
 * reach); the cause is an object of its own (its code, status and Azure request id kept, not only
 * its message), and is kept when it is no Error (a string, a plain object), which pino drops; an
 * Error held by a plain property (`details.inner`) keeps its message instead of becoming `{}`.
 */
export function serializeError(err: unknown): unknown {
  return scrub(err, 0);
}

function scrub(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= ERR_DEPTH) return '[cut]';
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    // pino's shape (type, message, stack, aggregateErrors, own properties), and the cause,
    // which is not enumerable on an Error made with `{ cause }`.
    out.type = value.constructor?.name ?? value.name;
    out.message = value.message;
    out.stack = value.stack;
    if (value instanceof AggregateError && Array.isArray(value.errors))
      out.aggregateErrors = scrub(value.errors, depth + 1);
    if (value.cause !== undefined) out.cause = scrub(value.cause, depth + 1);
  }
  for (const [k, v] of Object.entries(value)) {
    if (k in out) continue;
    const key = k.toLowerCase();
    out[k] = REDACTED.has(key) || key === 'headers' ? '[redacted]' : scrub(v, depth + 1);
  }
  return out;
}

/** A redaction path for `key` under `prefix`: dotted, or in brackets for a key like `.dockerconfigjson`. */
function pathOf(prefix: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${prefix}${prefix ? '.' : ''}${key}` : `${prefix}[${JSON.stringify(key)}]`;
}

/** Creates the root logger; `destination` lets tests capture every line. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  // pino's redaction has no recursive wildcard: two levels below the top, and the error
  // serializer above for any depth inside an error.
  const paths = REDACTED_KEYS.flatMap((k) => [pathOf('', k), pathOf('*', k), pathOf('*.*', k)]);
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
