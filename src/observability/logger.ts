/**
 * Structured logs (pino). Secrets are redacted by key wherever they appear and by pattern inside
 * every string (the message, an error's message, stack and cause, any field or child binding),
 * errors under any key are serialised as `err` is, and pino's JSON encoding escapes CR/LF inside
 * values, so user text cannot forge log lines (G12).
 */
import pino from 'pino';
import { currentCorrelationId } from './correlation';
import { SECRET_KEY_NAMES, scrubSecrets } from '../domain/secret-text';

/** The logger type used across acrbot. */
export type Logger = pino.Logger;

/**
 * Keys whose values never reach a log line, in any case: the names whose values the scrubber
 * hides inside text ({@link SECRET_KEY_NAMES}: acrbot's own, OAuth's `client_secret`/
 * `access_token`/`assertion`, Graph's `passwordCredentials`/`secretText`, ACR's `passwords` and
 * their `value`, a pull secret's `.dockerconfigjson` and `auth`, a kubeconfig's
 * `client-key-data`, a SAS's `sig`, headers such as `authorization`, `cookie`, `x-api-key`), so a
 * secret is hidden whether it is logged as a field or quoted in a string.
 */
export const REDACTED_KEYS: readonly string[] = SECRET_KEY_NAMES;

const REDACTED = new Set(REDACTED_KEYS.map((k) => k.toLowerCase()));
/** Nesting an error's own properties may have before they are cut (HTTP clients nest deeply). */
const ERR_DEPTH = 8;

/**
 * pino's error serializer, extended: every secret key and every `headers` object at any depth is
 * replaced (errors of HTTP clients carry their request's configuration,
 * `err.config.headers.Authorization`, or body deeper than the logger's `*.*.key` redaction paths
 * reach); the cause is an object of its own (its code, status and Azure request id kept, not only
 * its message), and is kept when it is no Error (a string, a plain object), which pino drops; an
 * Error held by a plain property (`details.inner`) keeps its message instead of becoming `{}`. Every
 * string in it (message, stack, a string cause, a URL) has its secret values replaced. An Azure SDK
 * error (RestError) keeps its answer out of sight (non-enumerable, headers and all); its
 * `x-ms-request-id` is lifted out as `azureRequestId`, what Azure support asks for (and
 * `x-ms-correlation-request-id` as `azureCorrelationRequestId`). A cause chain
 * that loops ends at `[circular]`, and a property that cannot be read (a throwing getter, a
 * message V8 cannot put into the stack's first line) is named as such: logging an error never
 * throws at the place that caught it.
 */
export function serializeError(err: unknown): unknown {
  try {
    return scrub(err, 0, new Set());
  } catch (failure) {
    // A Proxy whose traps throw, or worse: say so rather than lose the line.
    return { type: 'Unserialisable', message: `the error could not be serialised: ${describe(failure)}` };
  }
}

function scrub(value: unknown, depth: number, path: Set<object>): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  // An object that contains itself (`a.cause = b; b.cause = a`) would repeat down to the cut.
  if (path.has(value)) return '[circular]';
  if (depth >= ERR_DEPTH) return '[cut]';
  path.add(value);
  try {
    return scrubObject(value, depth, path);
  } finally {
    path.delete(value);
  }
}

function scrubObject(value: object, depth: number, path: Set<object>): unknown {
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, path));
  // A property that serialises itself (a URL, HttpHeaders) is written as it would be, its
  // `toJSON()` scrubbed: its own keys are internal slots (a URL has none, and became `{}`). An
  // Error keeps pino's shape, whatever its toJSON says.
  if (!(value instanceof Error) && typeof read(value, 'toJSON') === 'function') {
    const { json } = serialised(value);
    return json === value ? scrubRecord(value, {}, depth, path) : scrub(json, depth + 1, path);
  }
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    // pino's shape (type, message, stack, aggregateErrors, own properties), and the cause,
    // which is not enumerable on an Error made with `{ cause }`.
    out.type = typeOf(value);
    out.message = text(read(value, 'message'), depth, path);
    out.stack = text(read(value, 'stack'), depth, path);
    if (value instanceof AggregateError) {
      const errors = read(value, 'errors');
      if (Array.isArray(errors)) out.aggregateErrors = scrub(errors, depth + 1, path);
    }
    const cause = read(value, 'cause');
    if (cause !== undefined) out.cause = scrub(cause, depth + 1, path);
    const azureRequestId = read(value, 'response', (r) => azureHeaderOf(r, 'x-ms-request-id'));
    if (typeof azureRequestId === 'string') out.azureRequestId = scrubSecrets(azureRequestId);
    // What the Activity Log is searched by.
    const correlationId = read(value, 'response', (r) => azureHeaderOf(r, 'x-ms-correlation-request-id'));
    if (typeof correlationId === 'string') out.azureCorrelationRequestId = scrubSecrets(correlationId);
  }
  return scrubRecord(value, out, depth, path);
}

/** `out` with `value`'s own enumerable properties added (those it has not set), scrubbed. */
function scrubRecord(value: object, out: Record<string, unknown>, depth: number, path: Set<object>): unknown {
  for (const k of Object.keys(value)) {
    if (k in out) continue;
    const key = k.toLowerCase();
    out[k] = REDACTED.has(key) || key === 'headers' ? '[redacted]' : scrub(read(value, k), depth + 1, path);
  }
  return out;
}

/**
 * What `JSON.stringify` writes for an object with `toJSON` (as pino's would), or, `failed`, what
 * is written instead when it throws: logging never throws where it is called.
 */
function serialised(value: object): { json: unknown; failed: boolean } {
  try {
    return { json: (value as { toJSON: () => unknown }).toJSON(), failed: false };
  } catch (err) {
    return { json: `[unserialisable] ${describe(err)}`, failed: true };
  }
}

/**
 * The error's type as pino names it, by its constructor; but restify-errors' constructors are
 * anonymous or all called `ErrCtor`, so for them the name it sets (`InternalServerError`), else
 * the code (`Internal`), says what the error is.
 */
function typeOf(err: Error): unknown {
  const ctor = read(err, 'constructor', (c) => (c as { name?: unknown } | undefined)?.name);
  if (typeof ctor === 'string' && ctor !== '' && ctor !== 'ErrCtor') return ctor;
  for (const key of ['name', 'code']) {
    const value = read(err, key);
    if (typeof value === 'string' && value !== '') return scrubSecrets(value);
  }
  return ctor === undefined ? 'Error' : ctor;
}

/** `obj[key]` (passed through `then`), or what made reading it throw. */
function read(obj: object, key: string, then: (v: unknown) => unknown = (v) => v): unknown {
  try {
    return then((obj as Record<string, unknown>)[key]);
  } catch (err) {
    return `[unreadable: ${describe(err)}]`;
  }
}

/** A message or stack as the line shows it: text scrubbed, an object walked, a Symbol as text. */
function text(value: unknown, depth: number, path: Set<object>): unknown {
  return typeof value === 'symbol' ? String(value) : scrub(value, depth, path);
}

/** Header `name` of the answer a RestError holds in `response` (headers with `get`). */
function azureHeaderOf(response: unknown, name: string): unknown {
  const headers = (response as { headers?: { get?: unknown } } | undefined)?.headers;
  const get = headers?.get;
  return typeof get === 'function' ? get.call(headers, name) : undefined;
}

/** A short, scrubbed description of what went wrong while reading an error. */
function describe(err: unknown): string {
  try {
    return scrubSecrets(err instanceof Error ? `${err.name}: ${String(err.message)}` : String(err));
  } catch {
    return 'unknown';
  }
}

/** Nesting of a logged object that {@link scrubFields} walks (pino's redaction paths are top-level only). */
const FIELD_DEPTH = 6;

/**
 * The logged object with the values of secret keys ({@link REDACTED_KEYS}, any case, at any depth
 * down to {@link FIELD_DEPTH}, below which objects are cut) and secret values inside its strings
 * replaced, and every Error, under any key and nested in objects and arrays, serialised by
 * {@link serializeError} (pino serialises only `err`, and a raw Error becomes `{}`). Copies only
 * what changes, so a line with nothing to scrub allocates nothing; `err` is left to its
 * serializer. An object with `toJSON` (a Date, a URL, core-rest-pipeline's HttpHeaders) is
 * written as its `toJSON()` result, scrubbed the same way (a URL's password or SAS, an
 * `Authorization` header), and kept as it is when that changes nothing.
 */
function scrubLogged(obj: Record<string, unknown>): Record<string, unknown> {
  let out = obj;
  for (const key in obj) {
    if (key === 'err' || !Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const value = obj[key];
    const scrubbed = REDACTED.has(key.toLowerCase()) ? '[redacted]' : scrubFields(value, 0);
    if (scrubbed === value) continue;
    if (out === obj) out = { ...obj };
    out[key] = scrubbed;
  }
  return out;
}

function scrubFields(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value);
  if (Array.isArray(value)) {
    if (depth >= FIELD_DEPTH) return '[cut]';
    let out: unknown[] = value;
    value.forEach((v, i) => {
      const scrubbed = scrubFields(v, depth + 1);
      if (scrubbed === v) return;
      if (out === value) out = [...value];
      out[i] = scrubbed;
    });
    return out;
  }
  // What serialises itself (a Date, a URL, a Buffer, HttpHeaders) is written as its toJSON()
  // result, which is scrubbed (pino would write it as it is); any other object is written as its
  // own enumerable properties, which a scrubbed copy keeps.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return scrubSerialised(value, depth);
  // Deeper than the walk goes: cut, not written as it is (its secret keys were never looked at).
  if (depth >= FIELD_DEPTH) return '[cut]';
  const record = value as Record<string, unknown>;
  let out = record;
  for (const [k, v] of Object.entries(record)) {
    // Below pino's `*.*.key` paths a secret key is still a secret key.
    const scrubbed = REDACTED.has(k.toLowerCase()) ? '[redacted]' : scrubFields(v, depth + 1);
    if (scrubbed === v) continue;
    if (out === record) out = { ...record };
    out[k] = scrubbed;
  }
  return out;
}

/**
 * An object with `toJSON` as a log line will hold it: its `toJSON()` result scrubbed like any
 * field, or the object itself when that changes nothing (a Date). A result that is an object
 * again is walked one level deeper, so a `toJSON` that returns its own object (or a new one each
 * time) ends at the cut.
 */
function scrubSerialised(value: object, depth: number): unknown {
  const { json, failed } = serialised(value);
  // The object itself would make pino meet the same throw.
  if (failed) return json;
  const scrubbed =
    typeof json === 'object' && json !== null && depth >= FIELD_DEPTH ? '[cut]' : scrubFields(json, depth + 1);
  return scrubbed === json ? value : scrubbed;
}

/**
 * A message that is no string, as an error's `message` may be: an object is scrubbed as the error
 * serializer scrubs one (pino would write it as it is), a Symbol (which pino cannot write) as text.
 */
function serializeMessage(msg: unknown): unknown {
  return typeof msg === 'object' && msg !== null ? serializeError(msg) : typeof msg === 'symbol' ? String(msg) : msg;
}

/** A redaction path for `key` under `prefix`: dotted, or in brackets for a key like `.dockerconfigjson`. */
function pathOf(prefix: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${prefix}${prefix ? '.' : ''}${key}` : `${prefix}[${JSON.stringify(key)}]`;
}

/** Creates the root logger; `destination` lets tests capture every line. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  // Top-level keys only: pino's wildcard paths (`*.key`, `*.*.key`) cost ~140 µs a line (a
  // compiled walk per path), 30 times the rest of a line; scrubLogged redacts the same keys at
  // every depth (and the error serializer inside errors) for a few µs.
  const paths = REDACTED_KEYS.map((k) => pathOf('', k));
  const root = pino(
    {
      level: options.level ?? 'info',
      base: { app: 'acrbot' },
      redact: { paths, censor: '[redacted]' },
      // The message after pino has formatted it (`%s` arguments included), and every other field.
      // pino takes the message of `log.error(err)` from `err.message`, which need not be a string.
      serializers: {
        err: serializeError,
        msg: (msg: unknown) => (typeof msg === 'string' ? scrubSecrets(msg) : serializeMessage(msg)),
      },
      formatters: { log: scrubLogged },
      // Every line written during a turn or an execution carries that work's correlation id.
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
  return scrubbingChildBindings(root);
}

/**
 * `root`, whose children (and theirs) have their bindings scrubbed as logged fields are
 * ({@link scrubLogged}: secret keys at any depth, secret values inside strings, Errors
 * serialised). pino's `formatters.bindings` cannot do it: pino 10's `child()` resets it, so it
 * formats only the root's `base`. Children inherit `child` from their parent (pino makes them with
 * `Object.create`), so wrapping it on the root covers every level. It runs once per child, when
 * pino writes the bindings into the child's line prefix, not once per line.
 */
function scrubbingChildBindings(root: Logger): Logger {
  // pino types `child` as generic in its custom levels; acrbot defines none, hence the casts.
  type Child = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  const child = root.child as unknown as Child;
  const scrubbing: Child = function (bindings, childOptions) {
    return child.call(this, scrubLogged(bindings), childOptions);
  };
  root.child = scrubbing as unknown as Logger['child'];
  return root;
}
