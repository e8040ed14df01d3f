/**
 * What the routes of a registry's child resources (`registries/{r}/scopeMaps`, `…/tokens`,
 * CONTRACTS §2.3) share: the parent registry read from the path (404 when it is missing), the
 * child looked up by name (404 `ResourceNotFound` when missing), the paged list and get routes,
 * which have one shape for every child type, and a create's answer with the status route of a
 * create still running (long-running-writes.ts).
 */
import type { EmulatorReply } from '../http-util';
import { childNotFound } from './arm-errors';
import { ok, type ArmRequestContext, type ArmRoute } from './arm-route';
import type { ProvisionedRecord } from './long-running-writes';
import { page } from './paging';
import type { RegistryRecord } from './registries';
import { REGISTRIES_RG } from './registry-routes';

/** The registry a child-resource route addresses. */
export function registryOf(ctx: ArmRequestContext): RegistryRecord {
  return ctx.state.requireRegistry(ctx.params['sub']!, ctx.params['rg']!, ctx.params['registry']!, true);
}

/** The child named `name` (names are case-insensitive, the maps are keyed in lower case). */
export function requireChild<R>(children: Map<string, R>, name: string): R {
  const child = children.get(name.toLowerCase());
  if (!child) throw childNotFound(name);
  return child;
}

/** One child resource type of a registry. */
export interface RegistryChildSpec<R> {
  /** The path segment and operation prefix, e.g. `tokens`. */
  child: 'scopeMaps' | 'tokens';
  records(registry: RegistryRecord): Map<string, R>;
  toWire(record: R): unknown;
}

/** The path of the child collection, e.g. `…/registries/{registry}/tokens`. */
export function childBase(child: RegistryChildSpec<unknown>['child']): string {
  return `${REGISTRIES_RG}/{registry}/${child}`;
}

/** Paged list and get by name for one child type. */
export function registryChildReadRoutes<R>(spec: RegistryChildSpec<R>): ArmRoute[] {
  const base = childBase(spec.child);
  const action = `Microsoft.ContainerRegistry/registries/${spec.child}/read`;
  return [
    {
      method: 'GET',
      pattern: base,
      operation: `${spec.child}.list`,
      action,
      handle: (ctx) => ok(page(ctx, [...spec.records(registryOf(ctx)).values()], spec.toWire)),
    },
    {
      method: 'GET',
      pattern: `${base}/{name}`,
      operation: `${spec.child}.get`,
      action,
      handle: (ctx) => ok(spec.toWire(requireChild(spec.records(registryOf(ctx)), ctx.params['name']!))),
    },
  ];
}

/**
 * The answer to the create of a new child: stored `Succeeded` at once and answered 201 without
 * an async header, or, when a test holds the create (long-running-writes.ts), answered 201
 * `Creating` with the `Azure-AsyncOperation` header the SDK polls (CONTRACTS §2.3's format).
 */
export function createdChild<R extends ProvisionedRecord>(
  ctx: ArmRequestContext,
  spec: RegistryChildSpec<R>,
  record: R,
): EmulatorReply {
  const children = spec.records(registryOf(ctx));
  const store = () => void children.set(record.name.toLowerCase(), record);
  const operationId = ctx.state.longRunning.begin(`${spec.child}.create`, ctx.path, record, store);
  if (!operationId) {
    store();
    return { status: 201, body: spec.toWire(record) };
  }
  const apiVersion = encodeURIComponent(ctx.query.get('api-version') ?? '');
  const statusUrl = `${ctx.baseUrl}${ctx.path}/operationStatuses/${operationId}?api-version=${apiVersion}`;
  return { status: 201, body: spec.toWire(record), headers: { 'Azure-AsyncOperation': statusUrl } };
}

/**
 * `GET …/{child}/{name}/operationStatuses/{id}`: the status of a create the emulator holds. Its
 * action is the provider's own `registries/{child}/operationStatuses/read` (Azure's provider
 * operations list both), not the child's read: a role granting one need not grant the other.
 */
export function operationStatusRoute(child: RegistryChildSpec<unknown>['child']): ArmRoute {
  return {
    method: 'GET',
    pattern: `${childBase(child)}/{name}/operationStatuses/{operationId}`,
    operation: `${child}.operationStatus`,
    action: `Microsoft.ContainerRegistry/registries/${child}/operationStatuses/read`,
    handle: (ctx) => {
      registryOf(ctx);
      const status = ctx.state.longRunning.status(ctx.params['operationId']!);
      if (!status) throw childNotFound(ctx.params['operationId']!);
      return ok(status);
    },
  };
}
