/** Role assignments and the bot's own permissions, with `@azure/arm-authorization`. */
import type * as Authorization from '@azure/arm-authorization';
import type { AuthorizationManagementClient, RoleAssignment, RoleDefinition } from '@azure/arm-authorization';
import type { RoleAssignmentInfo, RoleDefinitionInfo } from '../../domain/azure-model';
import { isActionAllowed } from '../../domain/permissions';
import type { RoleAssignmentListing, RoleAssignmentPort, WriteResult } from '../../domain/ports';
import { CloudApiError } from '../../domain/ports';
import { parseResourceId } from '../../domain/resource-id';
import { type ArmConnection, errorRequestId, restErrorInfo, transportOptions, unlessNotFound } from './arm-connection';

const ROLE_ASSIGNMENT_WRITE = 'Microsoft.Authorization/roleAssignments/write';

/** The SDK joins `scope` verbatim after the host; a leading `/` would double it. */
function sdkScope(scope: string): string {
  return scope.replace(/^\/+/, '');
}

/** The SDK's (flattened) role assignment as acrbot's. */
export function toRoleAssignmentInfo(a: RoleAssignment): RoleAssignmentInfo {
  return {
    id: a.id ?? '',
    name: a.name ?? '',
    scope: a.scope ?? '',
    roleDefinitionId: a.roleDefinitionId ?? '',
    principalId: a.principalId ?? '',
    principalType: a.principalType,
    condition: a.condition ?? undefined,
  };
}

/** The SDK's role definition as acrbot's. */
export function toRoleDefinitionInfo(d: RoleDefinition): RoleDefinitionInfo {
  return {
    guid: (d.name ?? d.id?.split('/').pop() ?? '').toLowerCase(),
    roleName: d.roleName ?? d.name ?? '',
    roleType: d.roleType ?? '',
    permissions: (d.permissions ?? []).map((p) => ({
      actions: p.actions ?? [],
      notActions: p.notActions ?? [],
      dataActions: p.dataActions ?? [],
      notDataActions: p.notDataActions ?? [],
    })),
  };
}

/** {@link RoleAssignmentPort} and {@link RoleAssignmentListing} over ARM. */
export class ArmRoleAssignments implements RoleAssignmentPort, RoleAssignmentListing {
  private readonly clients = new Map<string, AuthorizationManagementClient>();

  constructor(private readonly connection: ArmConnection) {}

  private client(subscriptionId: string): AuthorizationManagementClient {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      // Loaded on first use: a start (and a help turn) does not need the SDK (P5).
      const { AuthorizationManagementClient } = require('@azure/arm-authorization') as typeof Authorization;
      // Classic autorest client: `$host` builds URLs, `endpoint` builds the token scope.
      client = new AuthorizationManagementClient(this.connection.credential, subscriptionId, {
        $host: this.connection.endpoint,
        endpoint: this.connection.endpoint,
        ...transportOptions(this.connection),
      });
      this.clients.set(subscriptionId, client);
    }
    return client;
  }

  private subscriptionOf(scope: string): string {
    const id = parseResourceId(scope);
    if (!id) throw new Error(`not a resource scope: ${scope}`);
    return id.subscriptionId;
  }

  async listForPrincipal(scope: string, principalId: string): Promise<RoleAssignmentInfo[]> {
    const out: RoleAssignmentInfo[] = [];
    const iterator = this.client(this.subscriptionOf(scope)).roleAssignments.listForScope(sdkScope(scope), {
      filter: `principalId eq '${principalId}'`,
    });
    for await (const a of iterator) out.push(toRoleAssignmentInfo(a));
    return out;
  }

  async listAssignedTo(subscriptionId: string, objectId: string): Promise<RoleAssignmentInfo[]> {
    const out: RoleAssignmentInfo[] = [];
    // The SDK follows nextLink; the filter is sent as given (CONTRACTS §7a).
    for await (const a of this.client(subscriptionId).roleAssignments.listForSubscription({
      filter: `assignedTo('${objectId}')`,
    }))
      out.push(toRoleAssignmentInfo(a));
    return out;
  }

  async listInSubscription(subscriptionId: string): Promise<RoleAssignmentInfo[]> {
    const out: RoleAssignmentInfo[] = [];
    for await (const a of this.client(subscriptionId).roleAssignments.listForSubscription())
      out.push(toRoleAssignmentInfo(a));
    return out;
  }

  getRoleDefinition(subscriptionId: string, roleDefinitionGuid: string): Promise<RoleDefinitionInfo | undefined> {
    return unlessNotFound(async () =>
      toRoleDefinitionInfo(
        await this.client(subscriptionId).roleDefinitions.get(`subscriptions/${subscriptionId}`, roleDefinitionGuid),
      ),
    );
  }

  async create(input: {
    scope: string;
    name: string;
    roleDefinitionGuid: string;
    principalId: string;
    subscriptionId: string;
  }): Promise<WriteResult> {
    let requestId: string | undefined;
    try {
      const created = await this.client(input.subscriptionId).roleAssignments.create(
        sdkScope(input.scope),
        input.name,
        {
          roleDefinitionId: `/subscriptions/${input.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${input.roleDefinitionGuid}`,
          principalId: input.principalId,
          // Set so a freshly created identity is not refused while the directory replicates.
          principalType: 'ServicePrincipal',
        },
        {
          onResponse: (raw) => {
            requestId = raw.headers.get('x-ms-request-id') ?? undefined;
          },
        },
      );
      return { id: created.id ?? '', requestId };
    } catch (err) {
      const info = restErrorInfo(err);
      throw new CloudApiError(
        info.code ?? 'Unknown',
        info.statusCode,
        'role assignment create failed',
        errorRequestId(err) ?? requestId,
      );
    }
  }

  async delete(input: { scope: string; name: string; subscriptionId: string }): Promise<void> {
    try {
      await this.client(input.subscriptionId).roleAssignments.delete(sdkScope(input.scope), input.name);
    } catch (err) {
      const info = restErrorInfo(err);
      if (info.statusCode !== 404)
        throw new CloudApiError(
          info.code ?? 'Unknown',
          info.statusCode,
          'role assignment delete failed',
          errorRequestId(err),
        );
    }
  }

  async canAssignRoles(scope: string): Promise<boolean> {
    const id = parseResourceId(scope);
    if (!id) return false;
    const sets: { actions: string[]; notActions: string[] }[] = [];
    for await (const p of this.client(id.subscriptionId).permissions.listForResource(
      id.resourceGroup,
      id.provider,
      '',
      id.type,
      id.name,
    )) {
      sets.push({ actions: p.actions ?? [], notActions: p.notActions ?? [] });
    }
    return isActionAllowed(sets, ROLE_ASSIGNMENT_WRITE);
  }
}
