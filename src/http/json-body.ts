/**
 * Reads a request's JSON body into `req.body` (and the text into `req.rawBody`), in place of
 * restify's bodyParser for acrbot's routes.
 *
 * Why not restify's: it keeps every chunk Buffer of the body in an array for the life of the
 * request, then copies them into one more Buffer (`Buffer.concat`) before decoding it. Those
 * Buffers are native memory (malloc) that V8 frees only when it collects their wrappers; under
 * load the wrappers outlive two scavenges with the request and wait for a full GC, so per
 * request about twice the body size of native memory stays allocated for seconds (docs/
 * performance.md, P11: ~11 MB of such buffers before each full GC under hostile traffic, which
 * glibc then keeps). Here each chunk is decoded to text as it arrives (`setEncoding`), so no
 * Buffer outlives its `data` event, and nothing is copied twice.
 *
 * Behaviour kept from the bodyParser it replaces: no body read for GET/HEAD or an empty body;
 * more than `maxBytes` → 413, answered as soon as that is known (the rest of the body is not
 * read: the connection closes once the answer is sent); invalid JSON → 400;
 * a body of another content type is left as text in `req.body`; an unsupported
 * `content-encoding` → 415 (Teams sends plain JSON).
 */
import type restify from 'restify';

/** Options. */
export interface JsonBodyOptions {
  /** Largest body accepted, in bytes (counted as received, before decoding). */
  maxBytes: number;
}

/** A plain HTTP error restify sends as `{ code, message }` with `statusCode`. */
class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }

  /** restify serialises errors through toJSON. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/**
 * How much of a refused body is still read (and discarded) after the 413: what a client has in
 * flight when the answer reaches it, so it reads the answer instead of a reset connection.
 */
const LINGER_MAX_BYTES = 1024 * 1024;

/** The restify handler. */
export function jsonBody(options: JsonBodyOptions): restify.RequestHandler {
  return (req, res, next) => {
    const length = req.getContentLength();
    if (req.method === 'GET' || req.method === 'HEAD' || (length === 0 && !req.isChunked())) return next();
    if (length > options.maxBytes) {
      // Known too large from the header: refuse without reading it.
      refuseTooLarge(req, res);
      return next(tooLarge(options.maxBytes));
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      req.resume();
      return next(new BodyError(415, 'UnsupportedMediaType', 'content encoding not supported'));
    }
    let received = 0;
    let text = '';
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      if (err) return next(err);
      if (received > options.maxBytes) return next(tooLarge(options.maxBytes));
      (req as { rawBody?: string }).rawBody = text;
      if (!isJson(req.contentType())) {
        req.body = text;
        return next();
      }
      try {
        req.body = text ? JSON.parse(text) : undefined;
      } catch (parseErr) {
        return next(new BodyError(400, 'InvalidContent', `Invalid JSON: ${(parseErr as Error).message}`));
      }
      next();
    };
    req.setEncoding('utf8');
    const onData = (chunk: string) => {
      // setEncoding hands out text; count the bytes the client sent, not UTF-16 units.
      received += Buffer.byteLength(chunk);
      if (received <= options.maxBytes) {
        text += chunk;
        return;
      }
      // Over the limit: answered now, not once the client chooses to end (unauthenticated, it
      // could keep sending, and acrbot decoding, for as long as it liked).
      text = '';
      req.off('data', onData);
      refuseTooLarge(req, res);
      finish(tooLarge(options.maxBytes));
    };
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('error', (err) => finish(err));
    // The client went away before the body ended: nothing to answer (restify ignores the reply).
    // Every response closes, almost always after the body was read: the error (and its stack
    // trace) is only made when it is still needed.
    res.once('close', () => {
      if (!finished) finish(new BodyError(400, 'BadRequest', 'request closed before its body ended'));
    });
  };
}

/**
 * Refuses a body that is too large without reading it to its end: the answer (413) goes out at
 * once and says `Connection: close`, and nothing more is kept or parsed. The connection is not
 * destroyed the moment the answer is sent: with the client's bytes still unread, closing it
 * makes the kernel reset it, and the client then loses the answer under its own write error. It
 * is half-closed once the answer is out (the client reads the answer, then the end), and what
 * the client still sends is discarded until it stops, or the connection destroyed after
 * {@link LINGER_MAX_BYTES} more (a client that goes on sending after the answer).
 */
function refuseTooLarge(req: restify.Request, res: restify.Response): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  let discarded = 0;
  req.on('data', (chunk: string | Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_MAX_BYTES) req.destroy();
  });
  req.resume();
  res.once('finish', () => req.socket?.end());
}

function tooLarge(maxBytes: number): BodyError {
  return new BodyError(413, 'PayloadTooLarge', `Request body size exceeds ${maxBytes}`);
}

/** Whether a content type (restify's `req.contentType()`, without parameters) is JSON. */
export function isJson(contentType: string): boolean {
  const type = contentType.toLowerCase();
  return type === 'application/json' || /^application\/[^;\s]*\+json$/.test(type);
}
