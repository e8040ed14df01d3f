/**
 * URL → route, in the spirit of apiserver's RequestInfoFactory: works out whether a request is
 * discovery or a resource request, and for resource requests the verb, resource, namespace and
 * name that authorization and the handlers use. As in Kubernetes, a request on a namespace
 * object (`/api/v1/namespaces/foo`) has namespace `foo`.
 */
import { resourceByName, type ResourceDef } from './resources';
import type { Verb } from './types';

/** A discovery or health document. */
export type DiscoveryDoc = 'version' | 'api' | 'apiV1' | 'apis' | 'health';

/** The outcome of routing one request. */
export type Route =
  | { type: 'discovery'; doc: DiscoveryDoc }
  | { type: 'resource'; def: ResourceDef; verb: Verb; namespace?: string; name?: string }
  | { type: 'methodNotAllowed'; def: ResourceDef; namespace?: string; name?: string }
  | { type: 'notFound' };

/** Paths the emulator serves without credentials (the real server's system:public-info-viewer set). */
export const PUBLIC_DOCS: ReadonlySet<DiscoveryDoc> = new Set<DiscoveryDoc>(['version', 'health']);

/** Collapses repeated slashes and drops a trailing one, as Go's path cleaning effectively does. */
export function normalisePath(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed;
}

function verbFor(method: string, named: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
      return named ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return named ? undefined : 'create';
    case 'PUT':
      return named ? 'update' : undefined;
    case 'PATCH':
      return named ? 'patch' : undefined;
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

function resourceRoute(
  method: string,
  def: ResourceDef,
  namespace: string | undefined,
  name: string | undefined,
  watch: boolean,
): Route {
  const verb = verbFor(method, name !== undefined, watch);
  // Watch is not emulated; refuse it rather than hang a client waiting for events.
  if (!verb || verb === 'watch' || !def.verbs.includes(verb)) return { type: 'methodNotAllowed', def, namespace, name };
  return { type: 'resource', def, verb, namespace, name };
}

/** Routes a request. `path` must already be normalised. */
export function route(method: string, path: string, query: URLSearchParams): Route {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  switch (path) {
    case '/version':
      return { type: 'discovery', doc: 'version' };
    case '/healthz':
    case '/livez':
    case '/readyz':
      return { type: 'discovery', doc: 'health' };
    case '/api':
      return { type: 'discovery', doc: 'api' };
    case '/api/v1':
      return { type: 'discovery', doc: 'apiV1' };
    case '/apis':
      return { type: 'discovery', doc: 'apis' };
  }
  if (method !== 'GET' && (path === '/api' || path === '/api/v1' || path === '/apis')) return { type: 'notFound' };
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  if (parts[0] !== 'api' || parts[1] !== 'v1') return { type: 'notFound' };
  const rest = parts.slice(2);
  const namespaces = resourceByName('namespaces') as ResourceDef;

  // /api/v1/namespaces[/{name}]
  if (rest[0] === 'namespaces' && rest.length <= 2) {
    return resourceRoute(method, namespaces, rest[1], rest[1], watch);
  }
  // /api/v1/namespaces/{ns}/{resource}[/{name}]
  if (rest[0] === 'namespaces' && (rest.length === 3 || rest.length === 4)) {
    const def = resourceByName(rest[2]);
    if (!def || !def.namespaced) return { type: 'notFound' };
    return resourceRoute(method, def, rest[1], rest[3], watch);
  }
  // /api/v1/{resource}: a namespaced resource across all namespaces (list only).
  if (rest.length === 1) {
    const def = resourceByName(rest[0]);
    if (!def || !def.namespaced) return { type: 'notFound' };
    if (method !== 'GET') return { type: 'methodNotAllowed', def };
    return resourceRoute(method, def, undefined, undefined, watch);
  }
  return { type: 'notFound' };
}
