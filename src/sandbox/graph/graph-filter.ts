/**
 * The few OData `$filter` forms acrbot (and `az`) use on applications and service principals:
 * `prop eq 'v'`, `startswith(prop,'v')` and `servicePrincipalNames/any(x:x eq 'v')`, joined
 * with `and`. String comparison is case-insensitive, as in Entra ID.
 */
import { unsupportedQuery } from './graph-errors';

/** A compiled filter over wire objects. */
export type GraphFilter = (obj: Record<string, unknown>) => boolean;

/** Properties applications and service principals are filtered by here (lowercase). */
export const FILTERABLE: ReadonlySet<string> = new Set(['appid', 'displayname', 'id']);

/**
 * Compiles `$filter`; an absent filter matches everything. Throws 400 `Request_UnsupportedQuery`.
 * `filterable`: the (lowercase) properties `eq` and `startswith` may name on this list.
 */
export function compileFilter(filter: string | null, filterable: ReadonlySet<string> = FILTERABLE): GraphFilter {
  if (!filter || filter.trim() === '') return () => true;
  const clauses = filter
    .trim()
    .split(/\s+and\s+/i)
    .map((c) => compileClause(c, filterable));
  return (obj) => clauses.every((c) => c(obj));
}

function compileClause(clause: string, filterable: ReadonlySet<string>): GraphFilter {
  const c = clause.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(c)) && filterable.has(m[1]!.toLowerCase())) {
    const prop = m[1]!.toLowerCase();
    const value = unquote(m[2]!);
    return (obj) => str(obj, prop) === value;
  }
  if ((m = /^startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)$/i.exec(c)) && filterable.has(m[1]!.toLowerCase())) {
    const prop = m[1]!.toLowerCase();
    const value = unquote(m[2]!);
    return (obj) => str(obj, prop)?.startsWith(value) ?? false;
  }
  if ((m = /^servicePrincipalNames\/any\(\s*(\w+)\s*:\s*\1\s+eq\s+'((?:[^']|'')*)'\s*\)$/i.exec(c))) {
    const value = unquote(m[2]!);
    return (obj) =>
      Array.isArray(obj['servicePrincipalNames']) &&
      (obj['servicePrincipalNames'] as unknown[]).some((n) => String(n).toLowerCase() === value);
  }
  throw unsupportedQuery();
}

function unquote(v: string): string {
  return v.replace(/''/g, "'").toLowerCase();
}

function str(obj: Record<string, unknown>, lowerProp: string): string | undefined {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lowerProp);
  const v = key === undefined ? undefined : obj[key];
  return typeof v === 'string' ? v.toLowerCase() : undefined;
}
