/**
 * Routes of `registries/{r}/scopeMaps` (CONTRACTS §2.3). PUT and DELETE answer synchronously
 * (no async-operation header), which the SDK's long-running-operation poller accepts as done,
 * unless a test holds a create (long-running-writes.ts): then it answers `Creating` with an
 * operation to poll, and the scope map refuses other writes until it finishes.
 */
import { HttpError } from '../http-util';
import { ok, type ArmRoute } from './arm-route';
import {
  childBase,
  createdChild,
  operationStatusRoute,
  registryChildReadRoutes,
  registryOf,
  type RegistryChildSpec,
} from './registry-children';
import { assertBelowQuota } from './registry-token-rules';
import { assertScopeMapName, parseScopeMapBody, scopeMapToWire, type ScopeMapRecord } from './scope-maps';

const BASE = childBase('scopeMaps');
const SCOPE_MAPS: RegistryChildSpec<ScopeMapRecord> = {
  child: 'scopeMaps',
  records: (r) => r.scopeMaps,
  toWire: scopeMapToWire,
};

/** Scope map routes. */
export function scopeMapRoutes(): ArmRoute[] {
  return [
    ...registryChildReadRoutes(SCOPE_MAPS),
    operationStatusRoute('scopeMaps'),
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
          ctx.state.longRunning.allowWrite(existing);
          existing.description = description;
          existing.actions = actions;
          return ok(scopeMapToWire(existing));
        }
        assertBelowQuota(registry, 'scopeMaps');
        const created: ScopeMapRecord = {
          id: `${registry.id}/scopeMaps/${name}`,
          name,
          description,
          actions,
          system: false,
          creationDate: new Date().toISOString(),
        };
        return createdChild(ctx, SCOPE_MAPS, created);
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
        ctx.state.longRunning.allowWrite(existing);
        registry.scopeMaps.delete(key);
        return { status: 200 };
      },
    },
  ];
}

function systemScopeMapReadOnly(name: string): HttpError {
  return new HttpError(
    400,
    'BadRequest',
    `The scope map '${name}' is system defined and cannot be modified or deleted.`,
  );
}
