/**
 * The shape of a Graph route and the request context its handler sees.
 */
import type { RouteDefinition } from '../arm/router';
import type { Directory } from '../directory';
import type { EmulatorReply } from '../http-util';
import type { CredentialHoldings } from './credential-holdings';
import { compileFilter } from './graph-filter';
import { select } from './graph-wire';

/** How far the caller's application permission reaches (CONTRACTS §4, "Permissions"). */
export type ApplicationPermission = 'OwnedBy' | 'All';

/** A parsed Graph request. */
export interface GraphRequestContext {
  directory: Directory;
  /** Federated credentials, certificates, service principal owners and credentials (not in the directory). */
  holdings: CredentialHoldings;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** `https://host:port/v1.0`, for `@odata.context`. */
  serviceRoot: string;
  /** Object id of the caller (owner of the applications it creates). */
  callerObjectId: string;
  applicationPermission: ApplicationPermission;
  /** Request headers (lowercase names), e.g. `prefer`. */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One Graph route. Route files are tables of these literals, alike in shape by design: one literal
 * per Graph operation, found by its operation name; shared replies are `entity`, `created`,
 * `collection` and `filteredCollection`.
 */
export interface GraphRoute extends RouteDefinition {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  handle(ctx: GraphRequestContext): EmulatorReply;
}

/** 200 with a JSON body. */
export function ok(body: unknown): EmulatorReply {
  return { status: 200, body };
}

/** `{ "@odata.context": …, value: [...] }` collection answer. */
export function collection(ctx: GraphRequestContext, entitySet: string, value: unknown[]): EmulatorReply {
  return ok({ '@odata.context': `${ctx.serviceRoot}/$metadata#${entitySet}`, value });
}

/** One entity as GET answers it: `@odata.context` `…#<entitySet>/$entity`, `$select` applied. */
export function entity(ctx: GraphRequestContext, entitySet: string, wire: Record<string, unknown>): EmulatorReply {
  return ok({
    '@odata.context': `${ctx.serviceRoot}/$metadata#${entitySet}/$entity`,
    ...select(wire, ctx.query.get('$select')),
  });
}

/** A created entity: 201 with the whole object (Graph ignores `$select` on POST). */
export function created(ctx: GraphRequestContext, entitySet: string, wire: Record<string, unknown>): EmulatorReply {
  return { status: 201, body: { '@odata.context': `${ctx.serviceRoot}/$metadata#${entitySet}/$entity`, ...wire } };
}

/** A listing with the request's `$filter` (on `filterable` properties) and then `$select` applied. */
export function filteredCollection(
  ctx: GraphRequestContext,
  entitySet: string,
  wires: Record<string, unknown>[],
  filterable?: ReadonlySet<string>,
): EmulatorReply {
  const filter = compileFilter(ctx.query.get('$filter'), filterable);
  return collection(
    ctx,
    entitySet,
    wires.filter(filter).map((w) => select(w, ctx.query.get('$select'))),
  );
}
