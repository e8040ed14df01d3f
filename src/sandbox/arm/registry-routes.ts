/**
 * Routes of `Microsoft.ContainerRegistry/registries` itself (CONTRACTS §2.1–2.2). Scope maps and
 * tokens have their own files.
 */
import { ok, type ArmRoute } from './arm-route';
import { readRoutes } from './read-routes';
import { isValidRegistryName, registryToWire } from './registries';

/** Prefix shared by registry and child-resource routes. */
export const REGISTRIES_RG = 'subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries';

/** Registry routes. */
export function registryRoutes(): ArmRoute[] {
  return [
    ...readRoutes({
      type: 'Microsoft.ContainerRegistry/registries',
      operation: 'registries',
      list: (state) => state.listRegistries(),
      require: (state, sub, rg, name) => state.requireRegistry(sub, rg, name),
      toWire: registryToWire,
    }),
    {
      method: 'POST',
      pattern: 'subscriptions/{sub}/providers/Microsoft.ContainerRegistry/checkNameAvailability',
      operation: 'registries.checkNameAvailability',
      action: 'Microsoft.ContainerRegistry/checkNameAvailability/read',
      handle: (ctx) => {
        const name = String((ctx.body as { name?: unknown } | undefined)?.name ?? '');
        if (!isValidRegistryName(name)) {
          return ok({
            nameAvailable: false,
            reason: 'Invalid',
            message: 'The specified resource name is invalid. It must be 5 to 50 alphanumeric characters.',
          });
        }
        // Registry names are global across Azure, not per subscription.
        const taken = ctx.state.listRegistries().some((r) => r.name.toLowerCase() === name.toLowerCase());
        return ok(
          taken
            ? { nameAvailable: false, reason: 'AlreadyExists', message: `The registry ${name} is already in use.` }
            : { nameAvailable: true },
        );
      },
    },
  ];
}
