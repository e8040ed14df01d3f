/**
 * ARM errors with the codes and message texts of the real service (CONTRACTS.md §0.9, §1.2, §3).
 * The bot branches on `code`; messages follow the real ones so that logs and cards read the same
 * in the sandbox as in Azure.
 */
import { HttpError } from '../http-util';
import { compactGuid } from './arm-ids';

/** 404 for a missing top-level resource (text from CONTRACTS §0.9). */
export function resourceNotFound(provider: string, name: string, resourceGroup: string): HttpError {
  return new HttpError(
    404,
    'ResourceNotFound',
    `The Resource '${provider}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** 404 for a missing child resource (the ACR resource provider's wording). */
export function childNotFound(name: string): HttpError {
  return new HttpError(404, 'ResourceNotFound', `The resource ${name} could not be found.`);
}

/** 404 for a child resource whose parent does not exist. */
export function parentNotFound(provider: string, name: string): HttpError {
  return new HttpError(
    404,
    'ParentResourceNotFound',
    `Can not perform requested operation on nested resource. Parent resource '${provider.split('/').pop()}/${name}' not found.`,
  );
}

/** 404 for a missing resource group (CONTRACTS §0.9). */
export function resourceGroupNotFound(resourceGroup: string): HttpError {
  return new HttpError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
}

/** 404 for a subscription the emulator does not know. */
export function subscriptionNotFound(subscriptionId: string): HttpError {
  return new HttpError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
}

/** 403 when the caller lacks `action` on `scope` (CONTRACTS §3.1). */
export function authorizationFailed(callerObjectId: string, action: string, scope: string): HttpError {
  return new HttpError(
    403,
    'AuthorizationFailed',
    `The client '${callerObjectId}' with object id '${callerObjectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** 400 when the principal is not (yet) in the directory; exact text of CONTRACTS §3.1, including the double space. */
export function principalNotFound(principalId: string, tenantId: string): HttpError {
  return new HttpError(
    400,
    'PrincipalNotFound',
    `Principal ${compactGuid(principalId)} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
  );
}

/**
 * 400 for a `principalId` that is not a GUID: a malformed id is refused at once, never the
 * `PrincipalNotFound` a caller retries through replication delays. ARM words it two ways, both
 * under this code (Azure/azure-powershell#16627 for a non-GUID, Azure-Samples/azure-search-openai-demo#2848
 * for an empty one).
 */
export function invalidPrincipalId(principalId: string): HttpError {
  return new HttpError(
    400,
    'InvalidPrincipalId',
    principalId.trim() === ''
      ? 'A valid principal ID must be provided for role assignment.'
      : `The Principal ID '${principalId}' is not valid. Principal ID must be a GUID.`,
  );
}

/** 400 for a `roleDefinitionId` that does not end in a GUID (hashicorp/terraform-provider-azurerm#8547). */
export function invalidRoleDefinitionId(roleDefinitionId: string): HttpError {
  return new HttpError(400, 'InvalidRoleDefinitionId', `The role definition ID '${roleDefinitionId}' is not valid.`);
}

/**
 * 400 for a subscription segment that is not a GUID: ARM refuses it before looking anything up
 * (never the 404 `SubscriptionNotFound` of a well-formed unknown one). Text as quoted in
 * Azure/apiops#460 and Azure/azure-cli#30953.
 */
export function invalidSubscriptionId(subscriptionId: string): HttpError {
  return new HttpError(
    400,
    'InvalidSubscriptionId',
    `The provided subscription identifier '${subscriptionId}' is malformed or invalid.`,
  );
}

/**
 * 400 for an `api-version` that is not a version at all. Any well-formed version is accepted
 * (CONTRACTS §0.4: SDK bumps change it), so the list of supported versions ARM appends is a
 * description here. Code and opening as quoted in Azure/azure-cli#28038.
 */
export function invalidApiVersion(apiVersion: string): HttpError {
  return new HttpError(
    400,
    'InvalidApiVersionParameter',
    `The api-version '${apiVersion}' is invalid. The supported versions are 'YYYY-MM-DD' dates, optionally with a '-preview' style suffix.`,
  );
}

/** 409 when the same scope/role/principal exists under another name; the id is 32 hex chars. */
export function roleAssignmentExists(existingName: string): HttpError {
  return new HttpError(
    409,
    'RoleAssignmentExists',
    `The role assignment already exists. The ID of the existing role assignment is ${compactGuid(existingName)}.`,
  );
}

/** 400 when a role assignment name is reused with another principal or scope (CONTRACTS §3.1). */
export function roleAssignmentUpdateNotPermitted(): HttpError {
  return new HttpError(
    400,
    'RoleAssignmentUpdateNotPermitted',
    'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
  );
}

/** 400 when static credentials are requested from a cluster with local accounts disabled (CONTRACTS §1.2). */
export function localAccountsDisabled(): HttpError {
  return new HttpError(
    400,
    'BadRequest',
    'Getting static credential is not allowed because this cluster is set to disable local accounts.',
  );
}

/** 400 for a malformed or incomplete request body. */
export function invalidRequestContent(detail: string): HttpError {
  return new HttpError(
    400,
    'InvalidRequestContent',
    `The request content was invalid and could not be deserialized: ${detail}`,
  );
}

/** 429 as ARM's own throttling layer words it (CONTRACTS §0.8). */
export function subscriptionThrottled(
  subscriptionId: string,
  method: string,
  path: string,
  seconds: number,
): HttpError {
  return new HttpError(
    429,
    'SubscriptionRequestsThrottled',
    `Number of requests for subscription '${subscriptionId}' and operation '${method}${path.toUpperCase()}' exceeded the backend storage limit. Please try again after '${seconds}' seconds.`,
  );
}
