/**
 * JSON shapes of directory objects as Graph v1.0 returns them, plus `$select` projection.
 */
import type {
  DirectoryApplication,
  DirectoryGroup,
  DirectoryServicePrincipal,
  DirectoryUser,
  StoredPasswordCredential,
} from '../directory';

/** A password credential as listed on an application: `secretText` is always null here. */
export function passwordCredentialToWire(p: StoredPasswordCredential): Record<string, unknown> {
  return {
    customKeyIdentifier: null,
    displayName: p.displayName,
    endDateTime: p.endDateTime,
    hint: p.hint,
    keyId: p.keyId,
    secretText: null,
    startDateTime: p.startDateTime,
  };
}

/** An application as Graph returns it (password values never included). */
export function applicationToWire(a: DirectoryApplication): Record<string, unknown> {
  return {
    id: a.id,
    deletedDateTime: null,
    appId: a.appId,
    displayName: a.displayName,
    uniqueName: a.uniqueName ?? null,
    createdDateTime: a.createdDateTime,
    signInAudience: 'AzureADMyOrg',
    publisherDomain: 'sandbox.onmicrosoft.com',
    identifierUris: [],
    tags: [],
    keyCredentials: [],
    passwordCredentials: a.passwords.map(passwordCredentialToWire),
  };
}

/** A service principal as Graph returns it; managed identities have no owning tenant. */
export function servicePrincipalToWire(sp: DirectoryServicePrincipal, tenantId: string): Record<string, unknown> {
  return {
    id: sp.id,
    deletedDateTime: null,
    accountEnabled: sp.accountEnabled,
    appId: sp.appId,
    appDisplayName: sp.displayName,
    displayName: sp.displayName,
    appOwnerOrganizationId: sp.servicePrincipalType === 'ManagedIdentity' ? null : tenantId,
    servicePrincipalNames: [sp.appId],
    servicePrincipalType: sp.servicePrincipalType,
    signInAudience: sp.servicePrincipalType === 'ManagedIdentity' ? null : 'AzureADMyOrg',
    tags: [],
    keyCredentials: [],
    passwordCredentials: [],
  };
}

/** A user as Graph returns it. */
export function userToWire(u: DirectoryUser): Record<string, unknown> {
  return { id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, mail: u.userPrincipalName };
}

/** A group as a `directoryObject` in membership answers (carries `@odata.type`). */
export function groupToWire(g: DirectoryGroup): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.group',
    id: g.id,
    displayName: g.displayName,
    securityEnabled: true,
    mailEnabled: false,
  };
}

/**
 * Applies `$select=a,b`: keeps those properties plus OData annotations (Graph keeps
 * `@odata.type` on directory objects even when not selected).
 */
export function select(obj: Record<string, unknown>, selectParam: string | null): Record<string, unknown> {
  if (!selectParam) return obj;
  const wanted = new Set(selectParam.split(',').map((s) => s.trim().toLowerCase()));
  return Object.fromEntries(
    Object.entries(obj).filter(([k]) => k.startsWith('@odata.') || wanted.has(k.toLowerCase())),
  );
}
