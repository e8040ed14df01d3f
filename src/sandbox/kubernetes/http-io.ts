/**
 * HTTP plumbing for the emulator: body reading with the API server's size limit, bearer-token
 * extraction and the JSON response writer. Kept apart so emulator.ts reads as the request pipeline.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody as readLimitedBody } from '../http-util';
import { requestEntityTooLarge, StatusError } from './status';

/** Request bodies above this are refused; the real limit is 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Thrown by a `drop` fault: the connection is destroyed without an answer. */
export class DroppedConnection extends Error {}

/**
 * The token of an `Authorization: Bearer` header; undefined without the header, '' for any
 * other scheme (e.g. Basic), which authenticates nobody here.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1].trim() : '';
}

/** 500 InternalError Status for an unexpected exception (an emulator bug, not a modelled failure). */
export function internalError(err: unknown): StatusError {
  const message = err instanceof Error ? err.message : String(err);
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  });
}

/** Reads the whole body as UTF-8; rejects with the API server's 413 Status past {@link MAX_BODY_BYTES}. */
export function readBody(req: IncomingMessage): Promise<string> {
  return readLimitedBody(req, {
    maxBytes: MAX_BODY_BYTES,
    tooLarge: () => requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`),
  });
}

/** Writes a JSON answer with the headers a real API server sends. */
export function writeJson(
  res: ServerResponse,
  status: number,
  body: object,
  extraHeaders: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-cache, private',
    'Audit-Id': randomUUID(),
    ...extraHeaders,
  });
  res.end(payload);
}
