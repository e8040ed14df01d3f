/**
 * Routes of `Microsoft.ContainerRegistry/registries` itself (CONTRACTS §2.1–2.2). Scope maps and
 * tokens have their own files.
 */
import { ok, type ArmRoute } from './arm-route';
import { page } from './paging';
import { isValidRegistryName, registryToWire, type RegistryRecord } from './registries';

/** Prefix shared by registry and child-resource routes. */
export const REGISTRIES_RG = 'subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries';
const READ = 'Microsoft.ContainerRegistry/registries/read';

/** Registry routes. */
export function registryRoutes(): ArmRoute[] {
  return [
    {
      method: 'GET',
      pattern: 'subscriptions/{sub}/providers/Microsoft.ContainerRegistry/registries',
      operation: 'registries.list',
      action: READ,
      handle: (ctx) => {
        ctx.state.requireResourceGroup(ctx.params['sub']!);
        const sub = ctx.params['sub']!.toLowerCase();
        return ok(
          page(
            ctx,
            ctx.state.listRegistries().filter((r) => r.subscriptionId.toLowerCase() === sub),
            registryToWire,
          ),
        );
      },
    },
    {
      method: 'GET',
      pattern: REGISTRIES_RG,
      operation: 'registries.listByResourceGroup',
      action: READ,
      handle: (ctx) => {
        const { sub, rg } = ctx.params as { sub: string; rg: string };
        ctx.state.requireResourceGroup(sub, rg);
        const inGroup = (r: RegistryRecord) =>
          r.subscriptionId.toLowerCase() === sub.toLowerCase() && r.resourceGroup.toLowerCase() === rg.toLowerCase();
        return ok(page(ctx, ctx.state.listRegistries().filter(inGroup), registryToWire));
      },
    },
    {
      method: 'GET',
      pattern: `${REGISTRIES_RG}/{name}`,
      operation: 'registries.get',
      action: READ,
      handle: (ctx) =>
        ok(registryToWire(ctx.state.requireRegistry(ctx.params['sub']!, ctx.params['rg']!, ctx.params['name']!))),
    },
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
