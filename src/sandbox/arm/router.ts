/**
 * Path matching for the emulators. ARM (and, mostly, Graph) treat path literals
 * case-insensitively, so every literal matches in any case; parameters keep the caller's text.
 *
 * Pattern syntax, one `/`-separated segment at a time:
 * - `literal` matches case-insensitively;
 * - `{name}` captures a whole segment; a segment may mix both, e.g. `servicePrincipals(appId='{appId}')`;
 * - `{*scope}` (first segment only) captures any number of leading segments, as a path with a
 *   leading `/` (`''` when empty). ARM's role-assignment and permission routes hang off any scope.
 *
 * Shared by the ARM and Graph emulators.
 */

/** One compiled route: a pattern plus whatever the emulator attaches to it. */
export interface RouteDefinition {
  method: string;
  pattern: string;
  /** Operation name recorded in the request log and used to target faults. */
  operation: string;
}

interface CompiledRoute<R extends RouteDefinition> {
  route: R;
  scopeWildcard: string | undefined;
  segments: RegExp[];
  paramNames: string[][];
}

/** Result of {@link Router.match}. */
export type RouteMatch<R> =
  | { kind: 'found'; route: R; params: Record<string, string> }
  | { kind: 'method-not-allowed'; operation: string }
  | { kind: 'not-found' };

/** A small table of routes, matched in registration order. */
export class Router<R extends RouteDefinition> {
  private readonly compiled: CompiledRoute<R>[] = [];

  /** Adds routes; earlier routes win when several match. */
  add(...routes: R[]): this {
    for (const route of routes) this.compiled.push(compile(route));
    return this;
  }

  /** Matches already-split, already-decoded path segments. */
  match(method: string, segments: readonly string[]): RouteMatch<R> {
    let wrongMethod: string | undefined;
    for (const c of this.compiled) {
      const params = matchSegments(c, segments);
      if (!params) continue;
      if (c.route.method === method) return { kind: 'found', route: c.route, params };
      wrongMethod ??= c.route.operation;
    }
    return wrongMethod ? { kind: 'method-not-allowed', operation: wrongMethod } : { kind: 'not-found' };
  }
}

/**
 * Splits a request target (`req.url`) into its path and query. Not `new URL(target, base)`:
 * that reads a target starting with `//` (which the authorization SDK sends) as a host name.
 */
export function parseRequestTarget(target: string): { pathname: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  return q < 0
    ? { pathname: target, query: new URLSearchParams() }
    : { pathname: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}

/**
 * Splits a URL path into decoded segments: repeated `/` collapse (the authorization SDK sends
 * `//subscriptions/...` when given a scope with a leading slash) and a trailing `/` is ignored.
 */
export function splitPath(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((s) => s !== '')
    .map(safeDecode);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function compile<R extends RouteDefinition>(route: R): CompiledRoute<R> {
  const parts = route.pattern.split('/').filter((s) => s !== '');
  let scopeWildcard: string | undefined;
  const wildcard = /^\{\*(\w+)\}$/.exec(parts[0] ?? '');
  if (wildcard) {
    scopeWildcard = wildcard[1];
    parts.shift();
  }
  const segments: RegExp[] = [];
  const paramNames: string[][] = [];
  for (const part of parts) {
    const names: string[] = [];
    const source = part
      .split(/(\{\w+\})/)
      .map((piece) => {
        const param = /^\{(\w+)\}$/.exec(piece);
        if (param) {
          names.push(param[1]!);
          return '(.+?)';
        }
        return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    segments.push(new RegExp(`^${source}$`, 'i'));
    paramNames.push(names);
  }
  return { route, scopeWildcard, segments, paramNames };
}

function matchSegments<R extends RouteDefinition>(
  c: CompiledRoute<R>,
  path: readonly string[],
): Record<string, string> | undefined {
  const offset = path.length - c.segments.length;
  if (offset < 0 || (c.scopeWildcard === undefined && offset !== 0)) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < c.segments.length; i++) {
    const m = c.segments[i]!.exec(path[offset + i]!);
    if (!m) return undefined;
    c.paramNames[i]!.forEach((name, j) => {
      params[name] = m[j + 1]!;
    });
  }
  if (c.scopeWildcard !== undefined) {
    params[c.scopeWildcard] = offset === 0 ? '' : '/' + path.slice(0, offset).join('/');
  }
  return params;
}
