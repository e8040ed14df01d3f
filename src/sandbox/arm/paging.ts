/**
 * `nextLink` paging for ARM list operations. The skip token is an opaque offset; the link is
 * absolute and keeps the caller's other query parameters (api-version, $filter), because the
 * classic SDK follows it verbatim and the modular SDK only adds a missing api-version.
 */
import { HttpError } from '../http-util';
import type { ArmRequestContext } from './arm-route';

/** One page of `items` plus a `nextLink` when more remain. */
export function page<T>(
  ctx: ArmRequestContext,
  items: readonly T[],
  toWire: (item: T) => unknown,
): { value: unknown[]; nextLink?: string } {
  const size = Math.max(1, ctx.state.pageSize);
  const offset = decodeSkipToken(ctx.query.get('$skipToken'));
  const value = items.slice(offset, offset + size).map(toWire);
  if (offset + size >= items.length) return { value };
  const query = new URLSearchParams(ctx.query);
  query.set('$skipToken', Buffer.from(`offset:${offset + size}`).toString('base64url'));
  return { value, nextLink: `${ctx.baseUrl}${ctx.path}?${query.toString()}` };
}

function decodeSkipToken(token: string | null): number {
  if (!token) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new HttpError(400, 'InvalidSkipToken', `The skip token '${token}' is invalid.`);
  return Number(m[1]);
}
