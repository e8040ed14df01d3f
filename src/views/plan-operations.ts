/**
 * A request's planned Azure operations and created objects as its cards name them. The planner
 * words a secret's operations before the request is stored, so before it has an id: its lines
 * name the credential with a `REQUEST-ID` placeholder (secret-credential-lines.ts). Every card
 * is drawn from a stored request, which has its id: the placeholder becomes the real name the
 * run gives the credential (tokenNameFor, applicationDisplayNameFor), as the Credential row says.
 */
import type { AccessRequest } from '../domain/request';
import { applicationDisplayNameFor, tokenNameFor } from '../domain/secret-credential';

/** The placeholder the planner's lines carry where the request id goes. */
const PLACEHOLDER = '-REQUEST-ID';

/**
 * The plan's operation lines with the credential's real name. The run names an extension's
 * rotated credential after the extension, so each request's own id fills its own plan's lines.
 */
export function planOperationLines(request: AccessRequest): string[] {
  const plan = request.plan;
  if (plan.kind !== 'secret') return [...plan.operations];
  const placeholder = plan.credentialKind === 'token' ? `acrbot${PLACEHOLDER}` : `${plan.credentialName}${PLACEHOLDER}`;
  const real =
    plan.credentialKind === 'token'
      ? tokenNameFor(request.id)
      : applicationDisplayNameFor(plan.credentialName, request.id);
  return plan.operations.map((line) => line.split(placeholder).join(real));
}

/** Azure resource types of the ids a run records, in words. */
const RESOURCE_WORDS: Record<string, string> = {
  tokens: 'ACR token',
  scopemaps: 'scope map',
  roleassignments: 'role assignment',
};

/**
 * One id an outcome records as created, saying what it is: an ARM id by its type and name
 * ("ACR token acrbot-r-…", "role assignment 0000…"); a secret's service principal is recorded by
 * its application (client) id, a bare GUID.
 */
export function createdLabel(request: AccessRequest, id: string): string {
  const parts = id.split('/').filter(Boolean);
  if (parts.length >= 2) {
    const type = parts[parts.length - 2];
    const name = parts[parts.length - 1];
    return `${RESOURCE_WORDS[type.toLowerCase()] ?? type} ${name}`;
  }
  if (request.plan.kind === 'secret' && request.plan.credentialKind === 'sp') return `service principal (app id ${id})`;
  return id;
}
