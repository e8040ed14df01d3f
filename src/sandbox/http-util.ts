/**
 * HTTP plumbing shared by the sandbox emulators: an error type, body reading, JSON replies and
 * an HTTPS server that can be stopped promptly.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

/** A reply an emulator route produces; the emulator adds its common headers. */
export interface EmulatorReply {
  status: number;
  /** JSON body; omitted for 204 and other empty replies. */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * An error a route throws to answer with a service error envelope. Each emulator formats it in
 * its own envelope (ARM `{error:{code,message}}`, Graph adds `innerError`).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Largest request body the emulators accept; real ARM limits are far above anything acrbot sends. */
const MAX_BODY_BYTES = 1024 * 1024;

/** How large a body an emulator takes, and its own error beyond that. */
export interface BodyLimit {
  maxBytes: number;
  tooLarge(): Error;
}

/** The ARM and Graph emulators' limit: 1 MiB, then ARM's 413 `RequestEntityTooLarge`. */
const DEFAULT_LIMIT: BodyLimit = {
  maxBytes: MAX_BODY_BYTES,
  tooLarge: () => new HttpError(413, 'RequestEntityTooLarge', 'The request body is too large.'),
};

/**
 * Reads the whole request body as text. Beyond the limit it rejects with the limit's error and
 * lets the rest of the body drain unread, so the emulator can still answer its 413.
 */
export function readBody(req: IncomingMessage, limit: BodyLimit = DEFAULT_LIMIT): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit.maxBytes) {
        chunks.length = 0;
        reject(limit.tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a JSON body; an empty body is `undefined`. Throws `SyntaxError` on malformed JSON. */
export function parseJsonBody(text: string): unknown {
  return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Writes a reply: JSON with `contentType` when there is a body, nothing otherwise. */
export function writeReply(
  res: ServerResponse,
  reply: EmulatorReply,
  contentType = 'application/json; charset=utf-8',
): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    headers['Content-Length'] = '0';
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  headers['Content-Type'] = contentType;
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** A running HTTPS listener. */
export interface HttpsEndpoint {
  /** Base URL, e.g. `https://127.0.0.1:54321` (no trailing slash). */
  url: string;
  port: number;
  /** Stops listening and destroys every open connection, so test runs never hang on keep-alive sockets. */
  close(): Promise<void>;
}

/** Options for {@link startHttpsServer}. */
export interface StartHttpsOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  certPem: string;
  keyPem: string;
  listener: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Starts an HTTPS server and tracks its sockets so {@link HttpsEndpoint.close} is immediate. */
export function startHttpsServer(opts: StartHttpsOptions): Promise<HttpsEndpoint> {
  const server = createServer({ cert: opts.certPem, key: opts.keyPem }, opts.listener);
  // `closeAllConnections` only knows sockets that reached HTTP; a socket still in the TLS
  // handshake would keep `close()` waiting, so raw sockets are tracked as well.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : opts.port;
      const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        url: `https://${hostPart}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

/** Answer of {@link httpsJson}. */
export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

/**
 * A minimal HTTPS JSON client that trusts a given CA: Node 20's `fetch` cannot take a CA, so
 * tests (and sandbox-mode Graph calls) use this for plain REST calls to the emulators.
 */
export function httpsJson(
  url: string,
  opts: { ca: string; method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
): Promise<JsonResponse> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.token) headers['Authorization'] = `Bearer ${opts.token}`;
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    // agent: false = a fresh connection per call, so nothing lingers after the emulator stops.
    const req = httpsRequest(url, { method: opts.method ?? 'GET', headers, ca: opts.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text === '' ? undefined : JSON.parse(text),
          });
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
