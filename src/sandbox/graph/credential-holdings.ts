/**
 * What the emulated Graph holds beside the shared {@link Directory} about who can act as an
 * application: its federated identity credentials and certificates, and a service principal's
 * own owners, passwords and certificates. Kept per directory object (a WeakMap on the object
 * itself), so a deleted application or service principal takes its holdings with it, and one
 * added again under the same id starts with none.
 *
 * Tests plant foreign holders here (someone else's doing, outside acrbot's permission): the
 * `plant…` methods. The emulator adds the caller as owner of a service principal it creates
 * (service-principal-routes.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Directory, DirectoryApplication, DirectoryServicePrincipal } from '../directory';
import { graphDate } from '../directory';

/** A federated identity credential (Graph `federatedIdentityCredential`): no secret material exists. */
export interface StoredFederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  description: string | null;
  audiences: string[];
}

/** A password or certificate credential's listed metadata (never its value). */
export interface StoredCredentialInfo {
  keyId: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
  /** Passwords: the first three characters of the secret, as Graph shows them. */
  hint?: string;
}

interface ApplicationExtras {
  federated: StoredFederatedCredential[];
  certificates: StoredCredentialInfo[];
}

interface ServicePrincipalExtras {
  ownerIds: Set<string>;
  passwords: StoredCredentialInfo[];
  certificates: StoredCredentialInfo[];
}

/** Credentials and owners the directory does not model, by directory object. */
export class CredentialHoldings {
  private readonly apps = new WeakMap<DirectoryApplication, ApplicationExtras>();
  private readonly sps = new WeakMap<DirectoryServicePrincipal, ServicePrincipalExtras>();

  constructor(private readonly directory: Directory) {}

  /** The application's holdings (empty when none were added). */
  ofApplication(app: DirectoryApplication): ApplicationExtras {
    let extras = this.apps.get(app);
    if (!extras) this.apps.set(app, (extras = { federated: [], certificates: [] }));
    return extras;
  }

  /** The service principal's holdings (empty when none were added). */
  ofServicePrincipal(sp: DirectoryServicePrincipal): ServicePrincipalExtras {
    let extras = this.sps.get(sp);
    if (!extras) this.sps.set(sp, (extras = { ownerIds: new Set(), passwords: [], certificates: [] }));
    return extras;
  }

  /** Adds a federated identity credential to the application with object id `applicationId`. */
  plantFederatedCredential(
    applicationId: string,
    fic: { name?: string; issuer: string; subject: string; description?: string; audiences?: string[] },
  ): StoredFederatedCredential {
    const stored: StoredFederatedCredential = {
      id: randomUUID(),
      name: fic.name ?? `planted-${randomUUID().slice(0, 8)}`,
      issuer: fic.issuer,
      subject: fic.subject,
      description: fic.description ?? null,
      audiences: fic.audiences ?? ['api://AzureADTokenExchange'],
    };
    this.ofApplication(this.application(applicationId)).federated.push(stored);
    return stored;
  }

  /** Adds a certificate credential (metadata only) to the application with object id `applicationId`. */
  plantApplicationCertificate(applicationId: string, displayName: string | null = null): StoredCredentialInfo {
    const info = credentialInfo(displayName);
    this.ofApplication(this.application(applicationId)).certificates.push(info);
    return info;
  }

  /** Adds an owner (a user's or service principal's object id) to the service principal `servicePrincipalId`. */
  addServicePrincipalOwner(servicePrincipalId: string, ownerId: string): void {
    this.ofServicePrincipal(this.servicePrincipal(servicePrincipalId)).ownerIds.add(ownerId.toLowerCase());
  }

  /** Adds a password to the service principal itself; its value is never kept (nothing reads it back). */
  plantServicePrincipalPassword(servicePrincipalId: string, displayName: string | null = null): StoredCredentialInfo {
    const info = { ...credentialInfo(displayName), hint: randomUUID().slice(0, 3) };
    this.ofServicePrincipal(this.servicePrincipal(servicePrincipalId)).passwords.push(info);
    return info;
  }

  /** Adds a certificate credential (metadata only) to the service principal itself. */
  plantServicePrincipalCertificate(
    servicePrincipalId: string,
    displayName: string | null = null,
  ): StoredCredentialInfo {
    const info = credentialInfo(displayName);
    this.ofServicePrincipal(this.servicePrincipal(servicePrincipalId)).certificates.push(info);
    return info;
  }

  private application(id: string): DirectoryApplication {
    const app = this.directory.getApplication(id);
    if (!app) throw new Error(`No application ${id}`);
    return app;
  }

  private servicePrincipal(id: string): DirectoryServicePrincipal {
    const sp = this.directory.getServicePrincipal(id);
    if (!sp) throw new Error(`No service principal ${id}`);
    return sp;
  }
}

function credentialInfo(displayName: string | null): StoredCredentialInfo {
  const start = new Date();
  return {
    keyId: randomUUID(),
    displayName,
    startDateTime: graphDate(start),
    endDateTime: graphDate(new Date(start.getTime() + 365 * 24 * 3600e3)),
  };
}
