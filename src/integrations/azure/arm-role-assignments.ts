/** Role assignments and the bot's own permissions, with `@azure/arm-authorization`. */
import type * as Authorization from '@azure/arm-authorization';
import type { AuthorizationManagementClient, RoleDefinition } from '@azure/arm-authorization';
import type { RoleAssignmentInfo, RoleDefinitionInfo } from '../../domain/azure-model';
import { isResourceGone, ResourceGoneError } from '../../domain/errors';
import { isActionAllowed } from '../../domain/permissions';
import type {
  RoleAssignmentDeleteResult,
  RoleAssignmentListing,
  RoleAssignmentPort,
  WriteResult,
} from '../../domain/ports';
import { parseResourceId } from '../../domain/resource-id';
import { dropIdlePolicies } from '../http/idle-policies';
import {
  type ArmConnection,
  armFailure,
  armPolicies,
  armRetryOptions,
  errorRequestId,
  isAbsent,
  restErrorInfo,
  transportOptions,
  unlessNotFound,
} from './arm-connection';
import { ARM_API_VERSIONS, ArmRest } from './arm-rest';
import { ArmResourceReader, subscriptionKey } from './azure-resource-reader';
import { goneBehindRefusal, scopeResourceOf } from './refused-or-gone';
import { roleAssignmentFromWire, type WirePermission, type WireRoleAssignment } from './arm-wire';

const ROLE_ASSIGNMENT_WRITE = 'Microsoft.Authorization/roleAssignments/write';

/** The SDK joins `scope` verbatim after the host; a leading `/` would double it. */
function sdkScope(scope: string): string {
  return scope.replace(/^\/+/, '');
}

/** `scope` as a path: one leading `/`, the rest verbatim (an ARM id, like the SDK's skip-encoded `{scope}`). */
function scopePath(scope: string): string {
  return `/${sdkScope(scope)}`;
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

/**
 * {@link RoleAssignmentPort} and {@link RoleAssignmentListing} over ARM. Listings, the permission
 * check and the create go through the SDK client's pipeline without its operation layer
 * ({@link ArmRest}, P8); role definitions and deletes use the client's operations.
 */
export class ArmRoleAssignments implements RoleAssignmentPort, RoleAssignmentListing {
  private readonly clients = new Map<string, AuthorizationManagementClient>();
  private readonly rests = new Map<string, ArmRest>();

  /**
   * `reader` reads a registry or cluster whose scope refused a listing or delete (what the 403
   * meant, refused-or-gone.ts); by default one of its own over the same connection.
   */
  constructor(
    private readonly connection: ArmConnection,
    private readonly reader: Pick<ArmResourceReader, 'readResource'> = new ArmResourceReader(connection),
  ) {}

  /** What a 403 on `scope` meant, for a registry or cluster scope (see {@link goneBehindRefusal}). */
  private async goneBehind(err: unknown, scope: string, what: string): Promise<ResourceGoneError | undefined> {
    const resource = scopeResourceOf(scope);
    if (!resource) return undefined;
    return goneBehindRefusal(
      err,
      resource,
      (r) => this.reader.readResource(r),
      `${what} on ${resource.kind} ${resource.name}`,
    );
  }

  /** One client per subscription, whatever the letter case of its id (see `subscriptionKey`). */
  private client(subscriptionId: string): AuthorizationManagementClient {
    let client = this.clients.get(subscriptionKey(subscriptionId));
    if (!client) {
      // Loaded on first use: a start (and a help turn) does not need the SDK (P5).
      const { AuthorizationManagementClient } = require('@azure/arm-authorization') as typeof Authorization;
      // Classic autorest client: `$host` builds URLs, `endpoint` builds the token scope.
      client = new AuthorizationManagementClient(this.connection.credential, subscriptionId, {
        $host: this.connection.endpoint,
        endpoint: this.connection.endpoint,
        ...transportOptions(this.connection),
        additionalPolicies: armPolicies(this.connection),
        retryOptions: armRetryOptions(),
      });
      dropIdlePolicies(client.pipeline, this.connection);
      this.clients.set(subscriptionKey(subscriptionId), client);
    }
    return client;
  }

  private rest(subscriptionId: string): ArmRest {
    let rest = this.rests.get(subscriptionKey(subscriptionId));
    if (!rest) {
      rest = new ArmRest(
        this.connection.endpoint,
        this.client(subscriptionId).pipeline,
        ARM_API_VERSIONS.authorization,
        this.connection.httpClient,
      );
      this.rests.set(subscriptionKey(subscriptionId), rest);
    }
    return rest;
  }

  private subscriptionOf(scope: string): string {
    const id = parseResourceId(scope);
    if (!id) throw new Error(`not a resource scope: ${scope}`);
    return id.subscriptionId;
  }

  /**
   * The principal's assignments at, above or below `scope`. A scope that no longer exists (404
   * ResourceNotFound or ResourceGroupNotFound, or a 403 after which the registry or cluster reads
   * 404: refused-or-gone.ts) throws {@link ResourceGoneError}: its assignments went with it (a
   * revocation ends there); a 403 after which the read is refused too throws
   * RefusedOrGoneError; any other failure is the SDK's error as it is.
   */
  listForPrincipal(scope: string, principalId: string): Promise<RoleAssignmentInfo[]> {
    return this.listAt(scope, `principalId eq '${principalId}'`);
  }

  /**
   * `$filter=assignedTo('{objectId}')` at `scope`: the principal's assignments at, above or below
   * it, including those held through (transitive) group membership. Read on the scope itself (a
   * registry, where docs/deploy.md gives the bot Reader). A scope that no longer exists throws
   * {@link ResourceGoneError}.
   */
  listAssignedToAt(scope: string, objectId: string): Promise<RoleAssignmentInfo[]> {
    return this.listAt(scope, `assignedTo('${objectId}')`);
  }

  /** A GET of the registry or cluster `scope` names: false on 404 ResourceNotFound or ResourceGroupNotFound. */
  async scopeExists(scope: string): Promise<boolean> {
    const resource = scopeResourceOf(scope);
    if (!resource) throw new Error(`not a registry or cluster scope: ${scope}`);
    try {
      await this.reader.readResource(resource);
      return true;
    } catch (err) {
      if (isResourceGone(restErrorInfo(err))) return false;
      throw err;
    }
  }

  /** `$filter=atScope()` at `scope`: every assignment at or above it. See {@link listAssignedToAt} for a gone scope. */
  listAtOrAbove(scope: string): Promise<RoleAssignmentInfo[]> {
    return this.listAt(scope, 'atScope()');
  }

  private async listAt(scope: string, filter: string): Promise<RoleAssignmentInfo[]> {
    try {
      const all = await this.rest(this.subscriptionOf(scope)).list<WireRoleAssignment>(
        `${scopePath(scope)}/providers/Microsoft.Authorization/roleAssignments`,
        { $filter: filter },
      );
      return all.map(roleAssignmentFromWire);
    } catch (err) {
      const info = restErrorInfo(err);
      if (!isResourceGone(info)) throw (await this.goneBehind(err, scope, 'the listing of role assignments')) ?? err;
      throw goneScope(scope, info.code!, err);
    }
  }

  async listAssignedTo(subscriptionId: string, objectId: string): Promise<RoleAssignmentInfo[]> {
    // Every page (nextLink followed); the filter is sent as given (CONTRACTS §7a).
    const all = await this.rest(subscriptionId).list<WireRoleAssignment>(
      `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Authorization/roleAssignments`,
      { $filter: `assignedTo('${objectId}')` },
    );
    return all.map(roleAssignmentFromWire);
  }

  async listInSubscription(subscriptionId: string): Promise<RoleAssignmentInfo[]> {
    const all = await this.rest(subscriptionId).list<WireRoleAssignment>(
      `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Authorization/roleAssignments`,
    );
    return all.map(roleAssignmentFromWire);
  }

  /**
   * `GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}` at a subscription,
   * resource group or resource. Any 404 is "not known there" (the role, or the scope, is not
   * found), which the caller may answer by trying another scope.
   */
  getRoleDefinition(scope: string, roleDefinitionGuid: string): Promise<RoleDefinitionInfo | undefined> {
    const subscriptionId = /^\/*subscriptions\/([^/]+)/i.exec(scope)?.[1];
    // The SDK client is per subscription; role definitions above one (management group, tenant)
    // are not read by acrbot, which reads them in a subscription beneath instead.
    if (!subscriptionId) throw new Error(`role definition read needs a scope within a subscription, not ${scope}`);
    return unlessNotFound(async () =>
      toRoleDefinitionInfo(
        await this.client(subscriptionId).roleDefinitions.get(sdkScope(scope).replace(/\/+$/, ''), roleDefinitionGuid),
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
      const created = await this.rest(input.subscriptionId).put<WireRoleAssignment>(
        `${scopePath(input.scope)}/providers/Microsoft.Authorization/roleAssignments/${encodeURIComponent(input.name)}`,
        {
          properties: {
            roleDefinitionId: `/subscriptions/${input.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${input.roleDefinitionGuid}`,
            principalId: input.principalId,
            // Set so a freshly created identity is not refused while the directory replicates.
            principalType: 'ServicePrincipal',
          },
        },
      );
      requestId = created.requestId;
      return { id: created.body?.id ?? '', requestId };
    } catch (err) {
      // ARM's own sentence (it names the existing assignment, the limit reached, the condition
      // refused) in the message and the error as cause, for the operator's log line.
      throw armFailure(err, 'role assignment create', requestId);
    }
  }

  /**
   * DELETE by name. A 404 is `absent` (nothing deleted), with `gone` when it says the scope is
   * (ResourceNotFound, ResourceGroupNotFound), or a 403 behind which the registry reads 404; a
   * subscription ARM cannot find did not say so, and throws.
   */
  async delete(input: { scope: string; name: string; subscriptionId: string }): Promise<RoleAssignmentDeleteResult> {
    let requestId: string | undefined;
    try {
      await this.client(input.subscriptionId).roleAssignments.delete(sdkScope(input.scope), input.name, {
        // The answer's id, for the deletion's audit entry (the Activity Log's record of it).
        onResponse: (raw) => {
          requestId = raw.headers.get('x-ms-request-id') ?? requestId;
        },
      });
      return { requestId };
    } catch (err) {
      // Nothing deleted: not a deletion to record, and a gone scope keeps its assignment at that id
      // in Azure (it grants again if a registry is there again), which the caller watches for.
      // Gone shows as a 403 too, the bot's rights having gone with the registry. Either answer
      // has its own id, for the caller's entry.
      const info = restErrorInfo(err);
      const gone = isResourceGone(info)
        ? goneScope(input.scope, info.code!, err)
        : isAbsent(err)
          ? undefined
          : await this.goneBehind(err, input.scope, 'the deletion of a role assignment');
      if (gone || isAbsent(err))
        return { requestId: errorRequestId(err) ?? requestId, absent: true, ...(gone && { gone }) };
      throw armFailure(err, 'role assignment delete', requestId);
    }
  }

  async canAssignRoles(scope: string): Promise<boolean> {
    const id = parseResourceId(scope);
    if (!id) return false;
    // The resource's own scope: `{resource id}/providers/Microsoft.Authorization/permissions`.
    const permissions = await this.rest(id.subscriptionId).list<WirePermission>(
      `${scopePath(scope)}/providers/Microsoft.Authorization/permissions`,
    );
    const sets = permissions.map((p) => ({ actions: p.actions ?? [], notActions: p.notActions ?? [] }));
    return isActionAllowed(sets, ROLE_ASSIGNMENT_WRITE);
  }
}

/** A listing or delete at `scope` answered 404 `code` (the scope is gone): what the caller is told. */
function goneScope(scope: string, code: string, cause: unknown): ResourceGoneError {
  const id = parseResourceId(scope);
  const registry = id?.type.toLowerCase() === 'registries';
  return new ResourceGoneError(
    registry ? 'registry' : 'scope',
    registry ? `registry ${id!.name}` : `scope ${scope}`,
    code,
    cause,
  );
}
