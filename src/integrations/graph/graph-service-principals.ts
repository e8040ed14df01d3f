/** Entra applications, service principals and passwords over Microsoft Graph (secret flow, kind `sp`). */
import type { ApplicationHoldings, DirectoryOwner, ServicePrincipalHoldings } from '../../domain/application-holders';
import type { CloudApiError, ServicePrincipalPort } from '../../domain/ports';
import { SecretValue } from '../../domain/secret-value';
import type { Logger } from '../../observability/logger';
import type { GraphClient } from './graph-client';
import { GraphCloudApiError, GraphError, graphFailure } from './graph-failure';
import { directoryIdSegment, isDirectoryId } from './graph-ids';

/**
 * Graph's message for a service principal asked for an application it cannot see yet (CONTRACTS
 * §4: "The appId '…' of the service principal does not reference a valid application object.";
 * legacy AAD Graph named it NoBackingApplicationObject).
 */
const NOT_REPLICATED_YET = /does not reference a valid application object|NoBackingApplicationObject/i;

/** Waits between retries; injectable for tests. */
export type Sleep = (ms: number) => Promise<void>;

/**
 * Graph's failure as the port's error, the original kept as its `cause`. The status is kept: a
 * 404 `Request_ResourceNotFound` right after acrbot created the application is replication (the
 * secret runner asks again), any other 404 is an application that is not there.
 */
function asWriteError(err: unknown, what: string): CloudApiError {
  return graphFailure(err, `${what} failed`);
}

/**
 * Code of the failure of an application deleted but not yet found in deleted items to delete
 * permanently: its own (what the pending clean-up's audit names), not Graph's 404 code, which
 * would read as "not there".
 */
export const PERMANENT_DELETE_PENDING = 'PermanentDeletePending';

/** The failure {@link PERMANENT_DELETE_PENDING} names, with no status, Graph's ids and 404 kept as its cause. */
function permanentDeletePending(err: GraphError, what: string): CloudApiError {
  const error = new GraphCloudApiError(
    PERMANENT_DELETE_PENDING,
    undefined,
    `${what} deleted, but not found in deleted items to delete permanently yet (restorable until it is)`,
    err,
  );
  Object.defineProperty(error, 'cause', { value: err, enumerable: false, writable: true, configurable: true });
  return error;
}

/** A directory object as an `owners` list shows it. */
type GraphOwner = { '@odata.type'?: string; id: string };

/** The credential lists of an application or service principal (key ids only are read). */
type GraphCredentials = { passwordCredentials?: { keyId: string }[]; keyCredentials?: { keyId: string }[] };

/**
 * Every read settled before any failure is thrown: a read still in flight after a sibling failed
 * would outlive the inspection (Promise.all), and nothing else waits for it. The first failure
 * in `reads`' order is thrown.
 */
async function settled<T extends readonly unknown[]>(reads: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(reads);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** An owner by its `@odata.type`. */
function ownerOf(o: GraphOwner): DirectoryOwner {
  const type =
    o['@odata.type'] === '#microsoft.graph.user'
      ? 'user'
      : o['@odata.type'] === '#microsoft.graph.servicePrincipal'
        ? 'servicePrincipal'
        : 'other';
  return { id: o.id, type };
}

/** The alternate key of an application by `uniqueName` (OData quotes doubled, then URL-encoded). */
function applicationKey(uniqueName: string): string {
  return `/applications(uniqueName='${encodeURIComponent(uniqueName.replace(/'/g, "''"))}')`;
}

/** {@link ServicePrincipalPort} over Graph. */
export class GraphServicePrincipals implements ServicePrincipalPort {
  constructor(
    private readonly graph: GraphClient,
    private readonly replicationDelaysMs: readonly number[] = [500, 1000, 2000, 4000, 8000],
    private readonly sleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
    /**
     * acrbot's own service principal object id when the configuration knows it (the sandbox,
     * whose tokens are opaque); otherwise read from acrbot's Graph token.
     */
    private readonly ownObjectId?: string,
    /** Where a best-effort step's failure is logged (the service principal's purge). */
    private readonly log?: Logger,
  ) {}

  /** acrbot's own service principal object id: the only owner an application of its own has. */
  async ownServicePrincipalId(): Promise<string> {
    return this.ownObjectId?.toLowerCase() ?? (await this.graph.callerId());
  }

  async upsertApplication(
    uniqueName: string,
    displayName: string,
  ): Promise<{ id: string; appId: string; created: boolean; requestId?: string }> {
    const key = applicationKey(uniqueName);
    let upserted: string | undefined;
    try {
      const { status, body, requestId } = await this.graph.request<{ id: string; appId: string }>(
        'PATCH',
        key,
        { displayName, signInAudience: 'AzureADMyOrg' },
        { Prefer: 'create-if-missing' },
      );
      if (status === 201 && body) return { id: body.id, appId: body.appId, created: true, requestId };
      upserted = requestId;
    } catch (err) {
      throw asWriteError(err, 'application upsert');
    }
    // 204: it exists (ours, from an earlier attempt: with OwnedBy a foreign one is 403).
    return { ...(await this.existingApplication(key)), created: false, requestId: upserted };
  }

  /**
   * The application a 204 upsert said exists. A read just after may not see it yet (replication):
   * asked again with backoff. Its failure is not the upsert's refusal: the application exists, so
   * the error carries no status, and the run's clean-up keeps looking for it by name.
   */
  private async existingApplication(key: string): Promise<{ id: string; appId: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const read = await this.graph.request<{ id: string; appId: string }>('GET', `${key}?$select=id,appId`);
        return { id: read.body!.id, appId: read.body!.appId };
      } catch (err) {
        if (err instanceof GraphError && err.status === 404 && attempt < this.replicationDelaysMs.length) {
          await this.sleep(this.replicationDelaysMs[attempt]);
          continue;
        }
        throw graphFailure(err, 'application read after its upsert failed', false);
      }
    }
  }

  async findApplication(uniqueName: string): Promise<{ id: string; appId: string } | undefined> {
    try {
      const { body } = await this.graph.request<{ id: string; appId: string }>(
        'GET',
        `${applicationKey(uniqueName)}?$select=id,appId`,
      );
      return body ? { id: body.id, appId: body.appId } : undefined;
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return undefined;
      throw asWriteError(err, 'application lookup');
    }
  }

  /**
   * Owners and credentials of an application: its owners, password and certificate key ids and
   * federated identity credentials (issuer, subject and name only). With `servicePrincipalId`,
   * the owners and the password and certificate key ids of that service principal as well (they
   * authenticate as the application does). Every list is read to its end (G15).
   */
  async inspectApplication(applicationId: string, servicePrincipalId?: string): Promise<ApplicationHoldings> {
    try {
      const id = directoryIdSegment(applicationId, 'application id');
      const spId =
        servicePrincipalId === undefined ? undefined : directoryIdSegment(servicePrincipalId, 'service principal id');
      const [owners, app, federated, servicePrincipal] = await settled([
        // Every page: a second owner on a later page must not pass for "acrbot alone" (G15).
        this.graph.listAll<GraphOwner>(`/applications/${id}/owners`),
        this.graph.request<{
          passwordCredentials?: { keyId: string; displayName?: string | null }[];
          keyCredentials?: { keyId: string }[];
        }>('GET', `/applications/${id}?$select=passwordCredentials,keyCredentials`),
        this.graph.listAll<{ id: string; name?: string; issuer?: string; subject?: string }>(
          `/applications/${id}/federatedIdentityCredentials?$select=id,name,issuer,subject`,
        ),
        spId === undefined ? undefined : this.inspectServicePrincipal(spId),
      ] as const);
      return {
        owners: owners.map(ownerOf),
        passwordKeyIds: (app.body?.passwordCredentials ?? []).map((p) => p.keyId),
        passwordDisplayNames: Object.fromEntries(
          (app.body?.passwordCredentials ?? []).map((p) => [p.keyId, p.displayName ?? null]),
        ),
        certificateKeyIds: (app.body?.keyCredentials ?? []).map((k) => k.keyId),
        // Only who may exchange a token: never a credential's other fields.
        federatedCredentials: federated.map((f) => ({
          id: f.id,
          name: f.name ?? '',
          issuer: f.issuer ?? '',
          subject: f.subject ?? '',
        })),
        ...(servicePrincipal && { servicePrincipal }),
      };
    } catch (err) {
      throw asWriteError(err, 'application read');
    }
  }

  /** A service principal's own owners and credentials (an id already checked). */
  private async inspectServicePrincipal(spId: string): Promise<ServicePrincipalHoldings> {
    const [owners, sp] = await settled([
      this.graph.listAll<GraphOwner>(`/servicePrincipals/${spId}/owners`),
      this.graph.request<GraphCredentials>(
        'GET',
        `/servicePrincipals/${spId}?$select=passwordCredentials,keyCredentials`,
      ),
    ]);
    return {
      id: spId,
      owners: owners.map(ownerOf),
      passwordKeyIds: (sp.body?.passwordCredentials ?? []).map((p) => p.keyId),
      certificateKeyIds: (sp.body?.keyCredentials ?? []).map((k) => k.keyId),
    };
  }

  async findServicePrincipal(appId: string): Promise<{ id: string } | undefined> {
    if (!isDirectoryId(appId)) return undefined; // no application has it (graph-ids.ts)
    try {
      const { body } = await this.graph.request<{ id: string }>(
        'GET',
        `/servicePrincipals(appId='${appId}')?$select=id`,
      );
      return body ? { id: body.id } : undefined;
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return undefined;
      throw asWriteError(err, 'service principal lookup');
    }
  }

  async createServicePrincipal(appId: string): Promise<{ id: string; requestId?: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { body, requestId } = await this.graph.request<{ id: string }>(
          'POST',
          '/servicePrincipals',
          { appId },
          {},
          { once: true },
        );
        return { id: body!.id, requestId };
      } catch (err) {
        // It exists already: an earlier attempt of ours whose answer was lost (the application is
        // this request's own, so its service principal is too).
        if (err instanceof GraphError && err.status === 409) {
          const existing = await this.findServicePrincipal(appId);
          if (existing) return existing;
        }
        // A brand-new application is not visible everywhere at once (eventual consistency). Graph
        // says so only in its message; any other 400 is a request that will not work if sent again.
        const replicating =
          err instanceof GraphError &&
          err.status === 400 &&
          err.code === 'Request_BadRequest' &&
          NOT_REPLICATED_YET.test(err.serviceMessage ?? '');
        if (replicating && attempt < this.replicationDelaysMs.length) {
          await this.sleep(this.replicationDelaysMs[attempt]);
          continue;
        }
        throw asWriteError(err, 'service principal create');
      }
    }
  }

  async addPassword(
    applicationId: string,
    endDateTime: string,
    displayName: string,
  ): Promise<{ keyId: string; secret: SecretValue; requestId?: string }> {
    try {
      const { body, requestId } = await this.graph.request<{ keyId: string; secretText: string }>(
        'POST',
        `/applications/${directoryIdSegment(applicationId, 'application id')}/addPassword`,
        { passwordCredential: { displayName, endDateTime } },
        {},
        { once: true },
      );
      return { keyId: body!.keyId, secret: new SecretValue(body!.secretText), requestId };
    } catch (err) {
      throw asWriteError(err, 'addPassword');
    }
  }

  async removePassword(applicationId: string, keyId: string): Promise<{ requestId?: string }> {
    try {
      // Once: a retry after a lost answer would be refused as an unknown key id.
      const { requestId } = await this.graph.request(
        'POST',
        `/applications/${directoryIdSegment(applicationId, 'application id')}/removePassword`,
        { keyId },
        {},
        { once: true },
      );
      return { requestId };
    } catch (err) {
      throw asWriteError(err, 'removePassword');
    }
  }

  /**
   * Deletes the application for good: the DELETE only moves it, and the service principal
   * deleted with it, to Entra's deleted items, where for 30 days it can be restored with its
   * passwords and still counts against acrbot's directory object quota (250 objects for a
   * creator that is no administrator; then every create is `Directory_QuotaExceeded`). So each is
   * then permanently deleted (`DELETE /directory/deletedItems/{id}`, which
   * `Application.ReadWrite.OwnedBy` allows for what acrbot owned).
   *
   * Says whether there was one: when neither the application nor a deleted one is found, the
   * port's error with Graph's 404 is thrown (never created, deleted and purged already, or not
   * replicated yet: the caller decides which). An application deleted now whose deleted item
   * still cannot be found after the replication retries fails with no status: it is deleted but
   * restorable, so it is not reported gone; the clean-up's next try finds it in deleted items.
   * The service principal's purge is best effort, once the application is purged (logged, never
   * thrown); a try that finds the application only in deleted items finds its service principal
   * there by appId. Resolves Graph's `request-id` of the DELETE (of its 404 when an earlier try
   * deleted it) and of the application's permanent delete: what Entra's audit log is searched by.
   */
  async deleteApplication(applicationId: string): Promise<{ requestId?: string; purgeRequestId?: string }> {
    let id: string;
    try {
      id = directoryIdSegment(applicationId, 'application id');
    } catch (err) {
      throw asWriteError(err, 'application delete');
    }
    // Read before the delete: a deleted application's service principal is no longer found by appId.
    const servicePrincipalId = await this.servicePrincipalOfApplication(id);
    let absent: GraphError | undefined;
    let requestId: string | undefined;
    try {
      ({ requestId } = await this.graph.request('DELETE', `/applications/${id}`));
    } catch (err) {
      if (!(err instanceof GraphError && err.status === 404)) throw asWriteError(err, 'application delete');
      // Deleted by an earlier try whose permanent delete failed, or never here: deleted items say which.
      absent = err;
      requestId = err.requestId;
    }
    // An earlier try deleted it: its service principal is found in deleted items by the appId
    // the deleted application still shows (read before the application's own purge removes it).
    const deletedAppId = absent ? await this.deletedApplicationAppId(id) : undefined;
    const purged = await this.purgeDeletedItem(id, 'application', absent === undefined);
    if (absent && !purged) throw asWriteError(absent, 'application delete');
    const ids = { requestId, purgeRequestId: purged?.requestId };
    // The application and its password are gone for good: what is left is the quota the service
    // principal holds. Its purge failing must not undo that success: a throw now would send the
    // caller's retry to an application it no longer finds, recorded as "absent", never "deleted".
    // Its ids are logged with a failure: once the application is purged, its appId cannot be read back.
    let spId: string | undefined = servicePrincipalId;
    try {
      spId ??= deletedAppId && (await this.deletedServicePrincipalOf(deletedAppId));
      if (spId) await this.purgeDeletedItem(spId, 'service principal', servicePrincipalId !== undefined, false);
    } catch (err) {
      this.log?.warn(
        { err, applicationId: id, servicePrincipalId: spId, appId: deletedAppId },
        "application deleted for good; its service principal's permanent delete failed (Entra removes it after 30 days)",
      );
    }
    return ids;
  }

  /**
   * The appId of the deleted application `id` (a checked segment), read from deleted items;
   * undefined when it cannot be read (its service principal is then left to Entra's 30 days:
   * the application's purge, which says whether it is there at all, goes ahead regardless).
   */
  private async deletedApplicationAppId(id: string): Promise<string | undefined> {
    try {
      const { body } = await this.graph.request<{ appId?: string }>(
        'GET',
        `/directory/deletedItems/${id}?$select=appId`,
      );
      return body?.appId;
    } catch (err) {
      if (!(err instanceof GraphError && err.status === 404))
        this.log?.warn({ err, applicationId: id }, 'deleted application could not be read for its appId');
      return undefined;
    }
  }

  /** The object id of the deleted service principal of `appId`, if deleted items show one. */
  private async deletedServicePrincipalOf(appId: string): Promise<string | undefined> {
    if (!isDirectoryId(appId)) return undefined; // never a service principal's (graph-ids.ts)
    const found = await this.graph.listAll<{ id: string }>(
      `/directory/deletedItems/microsoft.graph.servicePrincipal?$filter=${encodeURIComponent(`appId eq '${appId}'`)}&$select=id`,
    );
    return found[0]?.id;
  }

  /**
   * The object id of the service principal of the application `id` (a checked segment), when
   * both can be read; undefined when either is not found (the application not replicated or
   * deleted already, or it has none).
   */
  private async servicePrincipalOfApplication(id: string): Promise<string | undefined> {
    let appId: string | undefined;
    try {
      appId = (await this.graph.request<{ appId?: string }>('GET', `/applications/${id}?$select=appId`)).body?.appId;
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return undefined;
      throw asWriteError(err, 'application read before its delete');
    }
    return appId ? (await this.findServicePrincipal(appId))?.id : undefined;
  }

  /**
   * Permanently deletes the deleted item `id`: Graph's `request-id` of the answer (an object, the
   * id in it when Graph gave one); undefined when deleted items do not have it. `deletedNow`:
   * the object was deleted by this call, so a 404 is replication (the deleted item not visible
   * yet) and is asked again with backoff; once the retries are spent, `required` throws (with
   * no status: not "absent"), otherwise the item is left for Entra to remove after 30 days.
   */
  private async purgeDeletedItem(
    id: string,
    what: string,
    deletedNow: boolean,
    required = true,
  ): Promise<{ requestId?: string } | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { requestId } = await this.graph.request('DELETE', `/directory/deletedItems/${id}`);
        return { requestId };
      } catch (err) {
        if (!(err instanceof GraphError && err.status === 404))
          throw asWriteError(err, `permanent delete of the ${what}`);
        if (!deletedNow) return undefined;
        if (attempt < this.replicationDelaysMs.length) {
          await this.sleep(this.replicationDelaysMs[attempt]);
          continue;
        }
        if (!required) return undefined;
        throw permanentDeletePending(err, what);
      }
    }
  }
}
