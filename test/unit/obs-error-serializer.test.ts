/**
 * The error serializer on the errors that reach it in practice and on those that broke it: an
 * Azure SDK RestError (its request's Authorization header out, its `x-ms-request-id` in), a cause
 * chain that loops, a message that is no string, a property that throws when read, and a logged
 * field nested deeper than the redaction walk goes. Logging an error must never throw where it
 * was caught, and never write a secret (G12).
 */
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'SENTINEL-obs-serializer-4b2d';

/** The one line `write` logged, raw and parsed; the log call itself must not throw. */
function logOnce(write: (logger: ReturnType<LogCapture['logger']>) => void): {
  raw: string;
  line: Record<string, any>;
} {
  const logs = new LogCapture();
  const logger = logs.logger();
  expect(() => write(logger)).not.toThrow();
  expect(logs.lines).toHaveLength(1);
  return { raw: logs.lines[0], line: JSON.parse(logs.lines[0]) as Record<string, any> };
}

/** A 403 from ARM as core-rest-pipeline throws it: the request and answer kept, not enumerable. */
function armRefusal(): RestError {
  const request = createPipelineRequest({
    url: 'https://management.azure.com/subscriptions/s/providers/x?api-version=2022-04-01',
    method: 'PUT',
    headers: createHttpHeaders({ authorization: `Bearer ${SECRET}` }),
  });
  return new RestError('The client does not have authorization to perform action', {
    code: 'AuthorizationFailed',
    statusCode: 403,
    request,
    response: {
      request,
      status: 403,
      headers: createHttpHeaders({
        'x-ms-request-id': 'arm-req-7f1c',
        'x-ms-correlation-request-id': 'arm-corr-51d0',
        'set-cookie': `x=${SECRET}`,
      }),
      bodyAsText: `{"error":{"code":"AuthorizationFailed"}}`,
    },
  });
}

test("an Azure RestError keeps its request id, code and status; its request's Authorization header stays out", () => {
  const err = new Error('grant failed', { cause: armRefusal() });
  const { raw, line } = logOnce((log) => log.error({ err }, 'grant failed'));
  expect(raw).not.toContain(SECRET);
  expect(line.err.cause).toMatchObject({
    type: 'RestError',
    code: 'AuthorizationFailed',
    statusCode: 403,
    azureRequestId: 'arm-req-7f1c',
    azureCorrelationRequestId: 'arm-corr-51d0',
  });
});

test('a cause chain that loops is written once, ending at [circular]', () => {
  const first = new Error('first');
  const second = new Error('second', { cause: first });
  (first as { cause?: unknown }).cause = second;
  const { raw, line } = logOnce((log) => log.error({ err: first }, 'looped'));
  expect(line.err).toMatchObject({ message: 'first', cause: { message: 'second', cause: '[circular]' } });
  expect(raw.split('Error: first').length - 1).toBe(1);
});

test("an error whose message is an object: the line's msg (taken from it by pino) is scrubbed too", () => {
  const err = Object.assign(new Error('placeholder'), {
    message: { detail: 'the store refused', password: SECRET, hint: `AccountKey=${SECRET}` },
  });
  const { raw, line } = logOnce((log) => log.error(err));
  expect(raw).not.toContain(SECRET);
  expect(line.msg).toEqual({ detail: 'the store refused', password: '[redacted]', hint: 'AccountKey=[redacted]' });
});

test('an error whose message is a Symbol is logged, not thrown from the log call', () => {
  const err = Object.assign(new Error('placeholder'), { message: Symbol('odd') });
  const { line } = logOnce((log) => log.error({ err }, 'odd error'));
  expect(line).toMatchObject({ msg: 'odd error', err: { type: 'Error', message: 'Symbol(odd)' } });
});

test('a property that throws when read is named, and the rest of the error kept', () => {
  const err = Object.assign(new Error('write failed'), { code: 'EPIPE' });
  Object.defineProperty(err, 'details', {
    enumerable: true,
    get() {
      throw new Error('details were released');
    },
  });
  const { line } = logOnce((log) => log.error({ err }, 'write failed'));
  expect(line.err).toMatchObject({
    message: 'write failed',
    code: 'EPIPE',
    details: '[unreadable: Error: details were released]',
  });
});

test('a field nested deeper than the redaction walk is cut, never written with its secrets', () => {
  const deep = { a: { b: { c: { d: { e: { f: { password: SECRET, g: { token: SECRET } } } } } } } };
  const { raw, line } = logOnce((log) => log.info({ deep, list: [[[[[[[`AccountKey=${SECRET}`]]]]]]] }, 'deep'));
  expect(raw).not.toContain(SECRET);
  expect(line.deep.a.b.c.d.e).toEqual({ f: '[cut]' });
});

/**
 * restify-errors (restify's own dependency, hoisted; it ships no types), as restify and a route
 * throw it: its constructors are anonymous (`InternalServerError`) or all called `ErrCtor`
 * (`makeConstructor`), so the type pino takes from the constructor read "" or "ErrCtor".
 */
const restifyErrors = require('restify-errors') as {
  InternalServerError: new (message: string) => Error;
  makeConstructor(name: string): new (message: string) => Error;
};

test("a restify-errors error is logged with the name restify-errors gives it, not its constructor's", () => {
  const ExecutionError = restifyErrors.makeConstructor('ExecutionError');
  const server = new restifyErrors.InternalServerError('tab handler failed');
  const made = new ExecutionError('tab handler failed');
  const { line } = logOnce((log) => log.error({ err: server, made }, 'route failed'));
  expect(line.err).toMatchObject({ type: 'InternalServerError', message: 'tab handler failed' });
  expect(line.made).toMatchObject({ type: 'ExecutionError', message: 'tab handler failed' });
});

test('an error whose constructor is anonymous and which has no name of its own is typed by its code', () => {
  const Anonymous = (() => class extends Error {})();
  const err = Object.assign(new Anonymous('quota spent'), { name: '', code: 'QuotaExceeded' });
  const { line } = logOnce((log) => log.error({ err }, 'quota'));
  expect(line.err.type).toBe('QuotaExceeded');
});
