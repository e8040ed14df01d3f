/**
 * Routes of `registries/{r}/scopeMaps` (CONTRACTS §2.3). PUT and DELETE answer synchronously
 * (no async-operation header), which the SDK's long-running-operation poller accepts as done.
 */
import { HttpError } from '../http-util';
import { childNotFound } from './arm-errors';
import { ok, type ArmRequestContext, type ArmRoute } from './arm-route';
import { page } from './paging';
import type { RegistryRecord } from './registries';
import { REGISTRIES_RG } from './registry-routes';
import { assertScopeMapName, parseScopeMapBody, scopeMapToWire } from './scope-maps';

const BASE = `${REGISTRIES_RG}/{registry}/scopeMaps`;

/** Scope map routes. */
export function scopeMapRoutes(): ArmRoute[] {
  return [
    {
      method: 'GET',
      pattern: BASE,
      operation: 'scopeMaps.list',
      action: 'Microsoft.ContainerRegistry/registries/scopeMaps/read',
      handle: (ctx) => ok(page(ctx, [...registryOf(ctx).scopeMaps.values()], scopeMapToWire)),
    },
    {
      method: 'GET',
      pattern: `${BASE}/{name}`,
      operation: 'scopeMaps.get',
      action: 'Microsoft.ContainerRegistry/registries/scopeMaps/read',
      handle: (ctx) => {
        const sm = registryOf(ctx).scopeMaps.get(ctx.params['name']!.toLowerCase());
        if (!sm) throw childNotFound(ctx.params['name']!);
        return ok(scopeMapToWire(sm));
      },
    },
    {
      method: 'PUT',
      pattern: `${BASE}/{name}`,
      operation: 'scopeMaps.create',
      action: 'Microsoft.ContainerRegistry/registries/scopeMaps/write',
      handle: (ctx) => {
        const registry = registryOf(ctx);
        const name = ctx.params['name']!;
        assertScopeMapName(name);
        const existing = registry.scopeMaps.get(name.toLowerCase());
        if (existing?.system) throw systemScopeMapReadOnly(name);
        const { description, actions } = parseScopeMapBody(ctx.body);
        if (existing) {
          existing.description = description;
          existing.actions = actions;
          return ok(scopeMapToWire(existing));
        }
        const created = {
          id: `${registry.id}/scopeMaps/${name}`,
          name,
          description,
          actions,
          system: false,
          creationDate: new Date().toISOString(),
        };
        registry.scopeMaps.set(name.toLowerCase(), created);
        return { status: 201, body: scopeMapToWire(created) };
      },
    },
    {
      method: 'DELETE',
      pattern: `${BASE}/{name}`,
      operation: 'scopeMaps.delete',
      action: 'Microsoft.ContainerRegistry/registries/scopeMaps/delete',
      handle: (ctx) => {
        const registry = registryOf(ctx);
        const key = ctx.params['name']!.toLowerCase();
        const existing = registry.scopeMaps.get(key);
        if (!existing) return { status: 204 };
        if (existing.system) throw systemScopeMapReadOnly(existing.name);
        registry.scopeMaps.delete(key);
        return { status: 200 };
      },
    },
  ];
}

function registryOf(ctx: ArmRequestContext): RegistryRecord {
  return ctx.state.requireRegistry(ctx.params['sub']!, ctx.params['rg']!, ctx.params['registry']!, true);
}

function systemScopeMapReadOnly(name: string): HttpError {
  return new HttpError(
    400,
    'BadRequest',
    `The scope map '${name}' is system defined and cannot be modified or deleted.`,
  );
}
