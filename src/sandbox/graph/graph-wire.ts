/**
 * JSON shapes of directory objects as Graph v1.0 returns them, plus `$select` projection.
 */
import type {
  Directory,
  DirectoryApplication,
  DirectoryGroup,
  DirectoryServicePrincipal,
  DirectoryUser,
  StoredPasswordCredential,
} from '../directory';
import type { StoredCredentialInfo, StoredFederatedCredential } from './credential-holdings';

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

/** A password listed on a service principal (its value is never returned after creation). */
export function listedPasswordToWire(p: StoredCredentialInfo): Record<string, unknown> {
  return {
    customKeyIdentifier: null,
    displayName: p.displayName,
    endDateTime: p.endDateTime,
    hint: p.hint ?? null,
    keyId: p.keyId,
    secretText: null,
    startDateTime: p.startDateTime,
  };
}

/** A certificate credential as listed (Graph `keyCredential`; `key` is null on reads). */
export function keyCredentialToWire(k: StoredCredentialInfo): Record<string, unknown> {
  return {
    customKeyIdentifier: null,
    displayName: k.displayName,
    endDateTime: k.endDateTime,
    key: null,
    keyId: k.keyId,
    startDateTime: k.startDateTime,
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
  };
}

/** A federated identity credential as Graph lists it (v1.0 `federatedIdentityCredential`). */
export function federatedCredentialToWire(f: StoredFederatedCredential): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    issuer: f.issuer,
    subject: f.subject,
    description: f.description,
    audiences: [...f.audiences],
  };
}

/** An application as Graph returns it (password values never included). */
export function applicationToWire(
  a: DirectoryApplication,
  certificates: readonly StoredCredentialInfo[] = [],
): Record<string, unknown> {
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
    keyCredentials: certificates.map(keyCredentialToWire),
    passwordCredentials: a.passwords.map(passwordCredentialToWire),
  };
}

/**
 * A service principal as Graph returns it; managed identities have no owning tenant. Its own
 * passwords and certificates (not its application's) are listed as on an application.
 */
export function servicePrincipalToWire(
  sp: DirectoryServicePrincipal,
  tenantId: string,
  credentials: { passwords: readonly StoredCredentialInfo[]; certificates: readonly StoredCredentialInfo[] } = {
    passwords: [],
    certificates: [],
  },
): Record<string, unknown> {
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
    keyCredentials: credentials.certificates.map(keyCredentialToWire),
    passwordCredentials: credentials.passwords.map(listedPasswordToWire),
  };
}

/** An owner as a directory object: a user, else a service principal (the directory's only other owners). */
export function ownerToWire(directory: Directory, id: string): Record<string, unknown> {
  return {
    '@odata.type': directory.users.has(id) ? '#microsoft.graph.user' : '#microsoft.graph.servicePrincipal',
    id,
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
