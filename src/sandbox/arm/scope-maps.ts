/**
 * ACR scope maps (CONTRACTS §2.3): the system-defined ones every registry has, user-defined ones
 * created by PUT, and their wire shape.
 */
import { HttpError } from '../http-util';
import type { ProvisioningState } from './long-running-writes';

/** Stored scope map. */
export interface ScopeMapRecord {
  id: string;
  name: string;
  description: string;
  system: boolean;
  actions: string[];
  creationDate: string;
  /** `Creating` while a held create runs (long-running-writes.ts); absent means `Succeeded`. */
  provisioningState?: ProvisioningState;
}

/** Names and rights of the system scope maps (actions as the real registries list them). */
const SYSTEM_SCOPE_MAPS: ReadonlyArray<{ name: string; description: string; actions: string[] }> = [
  {
    name: '_repositories_admin',
    description: 'Can perform all read, write and delete operations on the registry',
    actions: [
      'repositories/*/metadata/read',
      'repositories/*/metadata/write',
      'repositories/*/content/read',
      'repositories/*/content/write',
      'repositories/*/content/delete',
    ],
  },
  {
    name: '_repositories_pull',
    description: 'Can pull any repository of the registry',
    actions: ['repositories/*/content/read'],
  },
  {
    name: '_repositories_push',
    description: 'Can push to any repository of the registry',
    actions: ['repositories/*/content/read', 'repositories/*/content/write'],
  },
];

/** The system scope maps of a new registry. */
export function systemScopeMaps(registryId: string, creationDate: string): ScopeMapRecord[] {
  return SYSTEM_SCOPE_MAPS.map((s) => ({
    ...s,
    actions: [...s.actions],
    id: `${registryId}/scopeMaps/${s.name}`,
    system: true,
    creationDate,
  }));
}

/** The scope map as GET returns it. `type` values follow the spec example (`IsUserDefined`). */
export function scopeMapToWire(sm: ScopeMapRecord): Record<string, unknown> {
  return {
    id: sm.id,
    name: sm.name,
    type: 'Microsoft.ContainerRegistry/registries/scopeMaps',
    properties: {
      description: sm.description,
      type: sm.system ? 'SystemDefined' : 'IsUserDefined',
      creationDate: sm.creationDate,
      provisioningState: sm.provisioningState ?? 'Succeeded',
      actions: sm.actions,
    },
  };
}

/** Scope map name rule: 5–50 of letters, digits, `-` and `_` (CONTRACTS §2.2). */
export function assertScopeMapName(name: string): void {
  if (!/^[a-zA-Z0-9-_]{5,50}$/.test(name)) {
    throw new HttpError(
      400,
      'InvalidResourceName',
      `The scope map name '${name}' is invalid. It must be 5 to 50 characters long and contain only letters, digits, '-' and '_'.`,
    );
  }
}

/** Validates a PUT body and returns its description and actions. */
export function parseScopeMapBody(body: unknown): { description: string; actions: string[] } {
  const props = (body as { properties?: { description?: unknown; actions?: unknown } } | undefined)?.properties;
  const actions = props?.actions;
  if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === 'string' && a.length > 0)) {
    throw new HttpError(
      400,
      'InvalidRequestContent',
      "The request content was invalid: 'properties.actions' must be a non-empty list of actions.",
    );
  }
  return { description: typeof props?.description === 'string' ? props.description : '', actions: actions as string[] };
}
