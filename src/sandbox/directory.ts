/**
 * The emulated Entra ID directory: users, groups, applications and service principals. The
 * Graph emulator serves it and the ARM emulator consults it (a role assignment's principal must
 * exist here, else `PrincipalNotFound`). Ids are GUIDs compared case-insensitively.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** Kinds of principals ARM can assign roles to. */
export type PrincipalKind = 'User' | 'Group' | 'ServicePrincipal';

/** A person in the directory. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  /** False for a disabled account (who cannot sign in, so cannot approve anything). */
  accountEnabled: boolean;
}

/** A security group; members may be users, service principals or nested groups. */
export interface DirectoryGroup {
  id: string;
  displayName: string;
  /** Object ids (lowercase) of direct members: users, service principals or groups. */
  members: Set<string>;
}

/** A password credential of an application, without its value. */
export interface StoredPasswordCredential {
  keyId: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
  /** First three characters of the secret, as Graph shows them. */
  hint: string;
  salt: Buffer;
  hash: Buffer;
}

/** An application registration (`appId` is the client id). */
export interface DirectoryApplication {
  id: string;
  appId: string;
  displayName: string;
  createdDateTime: string;
  /** Owners' object ids (lowercase). `Application.ReadWrite.OwnedBy` only reaches owned apps. */
  ownerIds: Set<string>;
  /** Client-provided alternate key (upsert by `uniqueName`, CONTRACTS §7a); immutable once set, unique in the tenant. */
  uniqueName?: string;
  passwords: StoredPasswordCredential[];
  /** Replication lag left: while > 0, creating a service principal for this app fails. */
  unreplicatedCalls: number;
  /**
   * Replication lag left for the application itself: while > 0, reading it, its owners,
   * adding or removing a password, and deleting it answer 404 `Request_ResourceNotFound` (see
   * {@link Directory.readReplicationDelay}); each such call uses one up.
   */
  unreadableCalls: number;
}

/** A service principal: of an application, or a managed identity (kubelet, control plane). */
export interface DirectoryServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: 'Application' | 'ManagedIdentity';
  accountEnabled: boolean;
  createdDateTime: string;
}

/**
 * An object in the directory's deleted items (Graph v1.0 `directory/deletedItems`): a deleted
 * application, or the service principal deleted with it, restorable for 30 days and counted
 * against its creator's directory object quota until it is permanently deleted.
 */
export type DeletedItem =
  | { type: 'application'; object: DirectoryApplication; deletedDateTime: string; creatorIds: Set<string> }
  | { type: 'servicePrincipal'; object: DirectoryServicePrincipal; deletedDateTime: string; creatorIds: Set<string> };

/** A new password's value (shown once) and its stored metadata. */
export interface NewPassword {
  secretText: string;
  credential: StoredPasswordCredential;
}

/** Shared directory state. Plain methods; no I/O. */
export class Directory {
  readonly users = new Map<string, DirectoryUser>();
  readonly groups = new Map<string, DirectoryGroup>();
  readonly applications = new Map<string, DirectoryApplication>();
  readonly servicePrincipals = new Map<string, DirectoryServicePrincipal>();
  /** Deleted applications and service principals by object id, until permanently deleted. */
  readonly deletedItems = new Map<string, DeletedItem>();

  /**
   * Directory objects one principal may have created (Entra: 250 for a creator that is no
   * administrator, deleted items included until they are permanently deleted; then a create is
   * 400 `Directory_QuotaExceeded`). Unset: no quota. Tests set a small one.
   */
  ownerQuota: number | undefined = undefined;

  /**
   * Replication delay for new applications: an app created through Graph is unknown to
   * `POST /servicePrincipals` for this many calls (400 `Request_BadRequest`, CONTRACTS §4).
   */
  replicationDelay = 0;

  /**
   * Replication delay for reads of new applications: an app created through Graph is, for this
   * many calls, not found by `GET /applications/{id}` (or by appId or uniqueName), `GET
   * …/owners`, `POST …/addPassword`, `…/removePassword` and `DELETE /applications/{id}`: 404 `Request_ResourceNotFound`
   * ("Resource '…' does not exist or one of its queried reference-property objects are not
   * present."), as real Graph answers for a few seconds after the create (e.g.
   * microsoftgraph/msgraph-sdk-javascript#1999: addPassword right after `POST /applications`;
   * hashicorp/terraform-provider-azuread#117/#118 wait on this). Such a 404 changes nothing.
   * Counted in calls, not time, so tests are deterministic. A delete answered so leaves the
   * application in place: a caller that takes the 404 for "gone" leaves it behind.
   */
  readReplicationDelay = 0;

  constructor(readonly tenantId: string) {}

  addUser(user: {
    id: string;
    displayName: string;
    userPrincipalName?: string;
    accountEnabled?: boolean;
  }): DirectoryUser {
    const u: DirectoryUser = {
      id: user.id.toLowerCase(),
      displayName: user.displayName,
      accountEnabled: user.accountEnabled ?? true,
      userPrincipalName:
        user.userPrincipalName ??
        `${user.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@sandbox.onmicrosoft.com`,
    };
    this.users.set(u.id, u);
    return u;
  }

  addGroup(group: { id: string; displayName: string; members?: string[] }): DirectoryGroup {
    const g: DirectoryGroup = {
      id: group.id.toLowerCase(),
      displayName: group.displayName,
      members: new Set((group.members ?? []).map((m) => m.toLowerCase())),
    };
    this.groups.set(g.id, g);
    return g;
  }

  addGroupMember(groupId: string, memberId: string): void {
    const g = this.groups.get(groupId.toLowerCase());
    if (!g) throw new Error(`No group ${groupId}`);
    g.members.add(memberId.toLowerCase());
  }

  removeGroupMember(groupId: string, memberId: string): void {
    this.groups.get(groupId.toLowerCase())?.members.delete(memberId.toLowerCase());
  }

  /** Adds an application directly (seeding): no replication delay. */
  addApplication(app: {
    id?: string;
    appId?: string;
    displayName: string;
    ownerIds?: string[];
    uniqueName?: string;
  }): DirectoryApplication {
    if (app.uniqueName !== undefined && this.getApplicationByUniqueName(app.uniqueName))
      throw new Error(`uniqueName ${app.uniqueName} is taken`);
    const a: DirectoryApplication = {
      ...(app.uniqueName !== undefined ? { uniqueName: app.uniqueName } : {}),
      id: (app.id ?? randomUUID()).toLowerCase(),
      appId: (app.appId ?? randomUUID()).toLowerCase(),
      displayName: app.displayName,
      createdDateTime: graphDate(),
      ownerIds: new Set((app.ownerIds ?? []).map((o) => o.toLowerCase())),
      passwords: [],
      unreplicatedCalls: 0,
      unreadableCalls: 0,
    };
    this.applications.set(a.id, a);
    return a;
  }

  /**
   * Creates an application the way `POST /applications` does: owned by the caller, subject to
   * {@link replicationDelay} and {@link readReplicationDelay}.
   */
  createApplication(displayName: string, ownerId: string, uniqueName?: string): DirectoryApplication {
    const a = this.addApplication({ displayName, ownerIds: [ownerId], uniqueName });
    a.unreplicatedCalls = this.replicationDelay;
    a.unreadableCalls = this.readReplicationDelay;
    return a;
  }

  /**
   * Whether a call reaching `app` finds it yet ({@link readReplicationDelay}): false, using up one
   * call of its lag, while it has not replicated.
   */
  replicatedForRead(app: DirectoryApplication): boolean {
    if (app.unreadableCalls <= 0) return true;
    app.unreadableCalls -= 1;
    return false;
  }

  addServicePrincipal(sp: {
    id?: string;
    appId: string;
    displayName: string;
    servicePrincipalType?: 'Application' | 'ManagedIdentity';
  }): DirectoryServicePrincipal {
    const s: DirectoryServicePrincipal = {
      id: (sp.id ?? randomUUID()).toLowerCase(),
      appId: sp.appId.toLowerCase(),
      displayName: sp.displayName,
      servicePrincipalType: sp.servicePrincipalType ?? 'Application',
      accountEnabled: true,
      createdDateTime: graphDate(),
    };
    this.servicePrincipals.set(s.id, s);
    return s;
  }

  getApplication(id: string): DirectoryApplication | undefined {
    return this.applications.get(id.toLowerCase());
  }

  /** The application with this `uniqueName` (alternate keys compare case-insensitively). */
  getApplicationByUniqueName(uniqueName: string): DirectoryApplication | undefined {
    const key = uniqueName.toLowerCase();
    for (const a of this.applications.values()) if (a.uniqueName?.toLowerCase() === key) return a;
    return undefined;
  }

  getApplicationByAppId(appId: string): DirectoryApplication | undefined {
    const key = appId.toLowerCase();
    for (const a of this.applications.values()) if (a.appId === key) return a;
    return undefined;
  }

  getServicePrincipal(id: string): DirectoryServicePrincipal | undefined {
    return this.servicePrincipals.get(id.toLowerCase());
  }

  getServicePrincipalByAppId(appId: string): DirectoryServicePrincipal | undefined {
    const key = appId.toLowerCase();
    for (const s of this.servicePrincipals.values()) if (s.appId === key) return s;
    return undefined;
  }

  /** What kind of principal `id` is, or undefined when it is not in the directory. */
  principalKind(id: string): PrincipalKind | undefined {
    const key = id.toLowerCase();
    if (this.users.has(key)) return 'User';
    if (this.groups.has(key)) return 'Group';
    if (this.servicePrincipals.has(key)) return 'ServicePrincipal';
    return undefined;
  }

  /** True when `id` is a user, group or service principal. */
  hasObject(id: string): boolean {
    return this.principalKind(id) !== undefined;
  }

  /** Every group `memberId` belongs to, directly or through nested groups. */
  transitiveGroupIds(memberId: string): Set<string> {
    const found = new Set<string>();
    let frontier = [memberId.toLowerCase()];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const g of this.groups.values()) {
        if (found.has(g.id)) continue;
        if (frontier.some((m) => g.members.has(m))) {
          found.add(g.id);
          next.push(g.id);
        }
      }
      frontier = next;
    }
    return found;
  }

  /**
   * Adds a password to an application. The secret text is returned once and only a salted hash is
   * kept. `endDateTime` defaults to start + 2 years, as in Graph.
   */
  addPassword(
    app: DirectoryApplication,
    opts: { displayName?: string | null; startDateTime?: string; endDateTime?: string },
  ): NewPassword {
    const secretText = newSecretText();
    const start = opts.startDateTime ?? new Date().toISOString();
    const end = opts.endDateTime ?? new Date(Date.parse(start) + 2 * 365 * 24 * 3600e3).toISOString();
    const salt = randomBytes(16);
    const credential: StoredPasswordCredential = {
      keyId: randomUUID(),
      displayName: opts.displayName ?? null,
      startDateTime: start,
      endDateTime: end,
      hint: secretText.slice(0, 3),
      salt,
      hash: hashSecret(secretText, salt),
    };
    app.passwords.push(credential);
    return { secretText, credential };
  }

  /** Removes a password by key id; false when the app has no such key. */
  removePassword(app: DirectoryApplication, keyId: string): boolean {
    const before = app.passwords.length;
    app.passwords = app.passwords.filter((p) => p.keyId !== keyId.toLowerCase());
    return app.passwords.length !== before;
  }

  /** True when `secret` is a current password of the application with `appId` (for test assertions). */
  verifyApplicationSecret(appId: string, secret: string, now = Date.now()): boolean {
    const app = this.getApplicationByAppId(appId);
    if (!app) return false;
    return app.passwords.some(
      (p) => Date.parse(p.endDateTime) > now && timingSafeEqual(hashSecret(secret, p.salt), p.hash),
    );
  }

  /**
   * Deletes an application and its service principal, as Graph does: both move to
   * {@link deletedItems} (each restorable on its own in Entra), where they still count against
   * their creator's quota. False when unknown.
   */
  deleteApplication(id: string): boolean {
    const app = this.getApplication(id);
    if (!app) return false;
    const deletedDateTime = graphDate();
    this.applications.delete(app.id);
    this.deletedItems.set(app.id, { type: 'application', object: app, deletedDateTime, creatorIds: app.ownerIds });
    for (const sp of [...this.servicePrincipals.values()])
      if (sp.appId === app.appId && this.deleteServicePrincipal(sp.id))
        this.deletedItems.set(sp.id, {
          type: 'servicePrincipal',
          object: sp,
          deletedDateTime,
          creatorIds: new Set(app.ownerIds),
        });
    return true;
  }

  /** Permanently deletes a deleted item (`DELETE /directory/deletedItems/{id}`). False when not there. */
  purgeDeletedItem(id: string): boolean {
    return this.deletedItems.delete(id.toLowerCase());
  }

  /**
   * Directory objects `creatorId` holds against its quota: applications it owns and their
   * service principals, live or deleted and not yet permanently deleted.
   */
  objectsCreatedBy(creatorId: string): number {
    const key = creatorId.toLowerCase();
    const owned = [...this.applications.values()].filter((a) => a.ownerIds.has(key));
    const appIds = new Set(owned.map((a) => a.appId));
    const sps = [...this.servicePrincipals.values()].filter((s) => appIds.has(s.appId)).length;
    const deleted = [...this.deletedItems.values()].filter((d) => d.creatorIds.has(key)).length;
    return owned.length + sps + deleted;
  }

  /** True when `creatorId` may create one more directory object under {@link ownerQuota}. */
  withinQuota(creatorId: string): boolean {
    return this.ownerQuota === undefined || this.objectsCreatedBy(creatorId) < this.ownerQuota;
  }

  deleteServicePrincipal(id: string): boolean {
    const key = id.toLowerCase();
    if (!this.servicePrincipals.delete(key)) return false;
    for (const g of this.groups.values()) g.members.delete(key);
    return true;
  }
}

/** Graph prints dates without fractional seconds: `2024-05-20T17:00:59Z`. */
export function graphDate(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Graph client secrets: 40 characters, the 4th–6th being `8Q~` (the current secret format). */
function newSecretText(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-';
  const bytes = randomBytes(37);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out.slice(0, 3) + '8Q~' + out.slice(3, 37);
}

function hashSecret(secret: string, salt: Buffer): Buffer {
  return createHash('sha256').update(salt).update(secret).digest();
}
