/**
 * Server-side paging of a directory-object list, as Graph pages `owners` and other relationship
 * lists: `$top` (1–999, default 100) sizes a page; the rest is reached through
 * `@odata.nextLink`, an absolute link with the request's query kept and an opaque `$skiptoken`.
 * A caller that reads only the first page misses the rest: the reason to emulate it.
 */
import type { EmulatorReply } from '../http-util';
import { badRequest } from './graph-errors';
import { ok, type GraphRequestContext } from './graph-route';
import { select } from './graph-wire';

/** Graph's default and largest page of directory objects. */
const DEFAULT_TOP = 100;
const MAX_TOP = 999;

/**
 * One page of `items` (with `$select` applied) as a collection answer; `path` is the list's own
 * path under the service root (for the next link), `context` its `@odata.context` fragment.
 */
export function pagedCollection(
  ctx: GraphRequestContext,
  path: string,
  context: string,
  items: Record<string, unknown>[],
): EmulatorReply {
  const top = pageSize(ctx.query.get('$top'));
  const offset = skipTokenOffset(ctx.query.get('$skiptoken'));
  const body: Record<string, unknown> = { '@odata.context': `${ctx.serviceRoot}/$metadata#${context}` };
  if (offset + top < items.length) {
    const query = new URLSearchParams(ctx.query);
    query.set('$skiptoken', Buffer.from(`offset:${offset + top}`).toString('base64url'));
    body['@odata.nextLink'] = `${ctx.serviceRoot}/${path}?${query.toString()}`;
  }
  body['value'] = items.slice(offset, offset + top).map((item) => select(item, ctx.query.get('$select')));
  return ok(body);
}

/** `$top` as a page size: Graph's default when absent, 400 outside 1–999. */
export function pageSize(raw: string | null): number {
  if (raw === null) return DEFAULT_TOP;
  const top = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(top >= 1 && top <= MAX_TOP))
    throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_TOP} inclusive.`);
  return top;
}

/** Where a `$skiptoken` this emulator issued resumes the list; 400 for any other token. */
export function skipTokenOffset(token: string | null): number {
  if (token === null) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw badRequest('Invalid skip token.');
  return Number(m[1]);
}
