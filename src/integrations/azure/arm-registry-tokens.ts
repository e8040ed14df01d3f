/** ACR scope maps, tokens and generateCredentials with `@azure/arm-containerregistry`. */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { type ResourceGoneError, UserFacingError } from '../../domain/errors';
import type { RegistryTokenPort, RegistryTokenStatus, WriteResult } from '../../domain/ports';
import { CloudApiError } from '../../domain/ports';
import { parseResourceId, sameResourceId } from '../../domain/resource-id';
import { SecretValue } from '../../domain/secret-value';
import {
  armFailure,
  errorCorrelationRequestId,
  errorRequestId,
  isAbsent,
  restErrorInfo,
  unlessAbsent,
} from './arm-connection';
import { goneBehindRefusal } from './refused-or-gone';

type RegistryRef = { subscriptionId: string; resourceGroup: string; name: string };

/** The built-in scope map that pulls every repository. */
export const PULL_ALL_SCOPE_MAP = '_repositories_pull';

/**
 * How long one ARM long-running operation (create, generateCredentials, delete) is polled before
 * acrbot gives up on it: these finish in seconds, and a run must not poll an operation that
 * never ends for ever.
 */
export const ARM_OPERATION_TIMEOUT_MS = 3 * 60_000;

/** What the SDK's operations return: core-lro's poller, as much of it as is used here. */
interface Poller<T> {
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<T>;
}

/**
 * Options every operation gets: the deadline's signal and the recorder of its first answer's
 * `x-ms-request-id` (cast where passed: the SDKs' option types differ per operation).
 */
type OperationOptions = ReturnType<typeof requestIdRecorder>['options'] & { abortSignal: AbortSignal };

/** Code of the {@link CloudApiError} thrown when an operation's deadline passes. */
export const OPERATION_TIMED_OUT = 'OperationTimedOut';

/** Captures `x-ms-request-id` of the final response of an SDK call. */
function requestIdRecorder(): {
  options: { onResponse: (raw: { headers: { get(n: string): string | undefined } }) => void };
  id: () => string | undefined;
} {
  let id: string | undefined;
  return {
    options: {
      onResponse: (raw) => {
        id = raw.headers.get('x-ms-request-id') ?? id;
      },
    },
    id: () => id,
  };
}

/** {@link RegistryTokenPort} over ARM; clients come from the resource reader's per-subscription cache. */
export class ArmRegistryTokens implements RegistryTokenPort {
  private readonly operationTimeoutMs: number;
  private readonly deadline: (what: string) => AbortSignal;

  /**
   * `operationTimeoutMs`: see {@link ARM_OPERATION_TIMEOUT_MS}. `operationDeadline` (tests): the
   * signal that ends the wait for one operation (`what`, e.g. `token create`) instead of that
   * timer (undefined: the timer), so a test ends it at an event rather than guess how long
   * the machine takes to get there.
   */
  constructor(
    private readonly client: (subscriptionId: string) => ContainerRegistryManagementClient,
    options: { operationTimeoutMs?: number; operationDeadline?: (what: string) => AbortSignal | undefined } = {},
  ) {
    this.operationTimeoutMs = options.operationTimeoutMs ?? ARM_OPERATION_TIMEOUT_MS;
    this.deadline = (what) => options.operationDeadline?.(what) ?? AbortSignal.timeout(this.operationTimeoutMs);
  }

  /**
   * Starts a long-running operation with a deadline and waits for its end. The deadline's signal
   * goes both to the operation (its first request and every poll request) and to the wait
   * between polls (awaiting the poller itself passes none, and a poll answer's Retry-After sets
   * that wait). Past the deadline the operation may still be running in Azure: the error has no
   * status, so callers treat the write as possibly applied (as after a lost answer), and says so.
   */
  private async operation<T>(
    what: string,
    start: (options: OperationOptions) => Poller<T>,
  ): Promise<{ result: T; requestId?: string }> {
    const deadline = this.deadline(what);
    const rec = requestIdRecorder();
    try {
      const result = await start({ ...rec.options, abortSignal: deadline }).pollUntilDone({ abortSignal: deadline });
      return { result, requestId: rec.id() };
    } catch (err) {
      if (!deadline.aborted) throw unreadableAnswer(err, what, rec.id()) ?? armFailure(err, what, rec.id());
      const error = new CloudApiError(
        OPERATION_TIMED_OUT,
        undefined,
        `${what} did not finish within ${Math.ceil(this.operationTimeoutMs / 1000)} s; acrbot stopped waiting, but the operation may still complete in Azure`,
        rec.id(),
      );
      // As `new Error(message, { cause })` would have it (CloudApiError's constructor takes no options).
      Object.defineProperty(error, 'cause', { value: err, enumerable: false, writable: true, configurable: true });
      throw error;
    }
  }

  async scopeMapFor(
    registry: RegistryRef & { id: string },
    scopeMapName: string,
    repositories: string[],
  ): Promise<{ id: string; created: boolean; requestId?: string }> {
    if (repositories.length === 0) return { id: `${registry.id}/scopeMaps/${PULL_ALL_SCOPE_MAP}`, created: false };
    const actions = repositories.map((r) => `repositories/${r}/content/read`);
    const { result: map, requestId } = await this.operation('scope map create', (options) =>
      this.client(registry.subscriptionId).scopeMaps.create(
        registry.resourceGroup,
        registry.name,
        scopeMapName,
        { actions, description: 'acrbot: pull only' },
        options as never,
      ),
    );
    return { id: map.id ?? `${registry.id}/scopeMaps/${scopeMapName}`, created: true, requestId };
  }

  async getToken(
    registry: RegistryRef,
    tokenName: string,
  ): Promise<
    { id: string; scopeMapId?: string; provisioningState?: string; status?: RegistryTokenStatus } | undefined
  > {
    const client = this.client(registry.subscriptionId);
    const token = await this.readChild('token read', registry, () =>
      client.tokens.get(registry.resourceGroup, registry.name, tokenName),
    );
    return (
      token && {
        id: token.id ?? tokenName,
        scopeMapId: token.scopeMapId,
        provisioningState: token.provisioningState,
        status: token.status,
      }
    );
  }

  async getScopeMap(
    registry: RegistryRef,
    scopeMapName: string,
  ): Promise<{ id: string; provisioningState?: string } | undefined> {
    const client = this.client(registry.subscriptionId);
    const map = await this.readChild('scope map read', registry, () =>
      client.scopeMaps.get(registry.resourceGroup, registry.name, scopeMapName),
    );
    return map && { id: map.id ?? scopeMapName, provisioningState: map.provisioningState };
  }

  // Same shape as scopeMapFor's create (one SDK create, its request id recorded), other body and
  // result. The status is Azure's answer, not the one asked for: a policy may have replaced it.
  async createToken(
    registry: RegistryRef,
    tokenName: string,
    scopeMapId: string,
  ): Promise<WriteResult & { status?: RegistryTokenStatus }> {
    const { result: token, requestId } = await this.operation('token create', (options) =>
      this.client(registry.subscriptionId).tokens.create(
        registry.resourceGroup,
        registry.name,
        tokenName,
        { scopeMapId, status: 'enabled' },
        options as never,
      ),
    );
    return { id: token.id ?? tokenName, requestId, status: token.status };
  }

  async generatePassword(
    registry: RegistryRef,
    tokenId: string,
    expiresAt: string,
  ): Promise<{ username: string; password: SecretValue; requestId?: string }> {
    const expiry = new Date(expiresAt);
    const { result, requestId } = await this.operation('generateCredentials', (options) =>
      this.client(registry.subscriptionId).registries.generateCredentials(
        registry.resourceGroup,
        registry.name,
        { tokenId, expiry, name: 'password1' },
        options as never,
      ),
    );
    const password = result.passwords?.find((p) => p.name === 'password1')?.value ?? result.passwords?.[0]?.value;
    if (!result.username || !password)
      throw new CloudApiError('NoPassword', undefined, 'generateCredentials returned no password', requestId);
    return { username: result.username, password: new SecretValue(password), requestId };
  }

  async deleteToken(registry: RegistryRef, tokenName: string): Promise<void> {
    await this.deleteChild('token delete', registry, (options) =>
      this.client(registry.subscriptionId).tokens.delete(
        registry.resourceGroup,
        registry.name,
        tokenName,
        options as never,
      ),
    );
  }

  async deleteScopeMap(registry: RegistryRef, scopeMapName: string): Promise<void> {
    await this.deleteChild('scope map delete', registry, (options) =>
      this.client(registry.subscriptionId).scopeMaps.delete(
        registry.resourceGroup,
        registry.name,
        scopeMapName,
        options as never,
      ),
    );
  }

  /**
   * A delete whose 404 ({@link isAbsent}: not a subscription ARM cannot find) means it is gone
   * already, as does a 403 after which the registry reads 404 (its deletion took acrbot's rights
   * on it: refused-or-gone.ts).
   */
  private async deleteChild(
    what: string,
    registry: RegistryRef,
    start: (options: OperationOptions) => Poller<void>,
  ): Promise<void> {
    try {
      await this.operation(what, start);
    } catch (err) {
      // Wrapped by `operation` (a CloudApiError with the same status and code): the 404 is its cause.
      if (err instanceof CloudApiError && isAbsent(err)) return;
      if (await this.goneBehind(err, registry, what)) return;
      throw err;
    }
  }

  /**
   * Reads a registry child: undefined when there is none ({@link isAbsent}: a deletion reads
   * first, and "none" ends it) or its registry is gone behind a 403; any other failure explained
   * as `what`.
   */
  private async readChild<T>(what: string, registry: RegistryRef, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await unlessAbsent(read);
    } catch (err) {
      if (await this.goneBehind(err, registry, what)) return undefined;
      throw armFailure(err, what);
    }
  }

  /**
   * Asked after the token acrbot recorded on `registry` was not found there: undefined when the
   * registry is at its recorded id (the token is gone from it), else why nothing of the
   * credential is there, in words for the audit entry. A registry is moved with its tokens and
   * scope maps (same name and login server, another id), so a registry not at its id (ARM reads
   * it 404) is looked for by its name, which is Azure-wide: in the recorded subscription's
   * listing (what acrbot may read there), then by asking ARM whether the name is taken
   * (checkNameAvailability, a subscription-scope action acrbot's deployment may not hold).
   * - found elsewhere, without the token (deleted there by hand): said so;
   * - found elsewhere with the token (or unreadable there), or not found while its name is
   *   taken: {@link RegistryMovedError}. acrbot acts only on the objects at the ids it recorded
   *   (G15), and the token's password may still sign in there;
   * - not found, the name free (or acrbot may not ask): the registry was deleted, and its tokens
   *   with it.
   * Any other failure is thrown as it is (retried).
   */
  async missingTokenReason(registry: RegistryRef, missing: MissingToken): Promise<string | undefined> {
    const client = this.client(registry.subscriptionId);
    let absentCode: string;
    try {
      await client.registries.get(registry.resourceGroup, registry.name);
      return undefined;
    } catch (err) {
      if (!isAbsent(err)) throw armFailure(err, 'registry read');
      absentCode = quotedCode(restErrorInfo(err).code);
    }
    const recordedId = registryId(registry);
    let foundId: string | undefined;
    try {
      for await (const r of client.registries.list())
        if (r.id && r.name?.toLowerCase() === registry.name.toLowerCase()) foundId = r.id;
    } catch (err) {
      throw armFailure(err, 'registry listing');
    }
    // Listed at its recorded id after all (the read came before ARM caught up): it is there.
    if (foundId && sameResourceId(foundId, recordedId)) return undefined;
    // An id from the wire is quoted to people only in ARM's own shape; another counts as unseen.
    const moved = foundId && MOVED_REGISTRY_ID.test(foundId) ? parseResourceId(foundId) : undefined;
    if (foundId && moved) {
      const tokenThere = await this.tokenAt(moved, missing.tokenName);
      if (tokenThere !== false)
        throw new RegistryMovedError(registry, missing, foundId, tokenThere === true ? undefined : tokenThere);
      return `registry ${registry.name} is no longer at its recorded id (Azure answered ${absentCode}) but at ${foundId} (moved), and token ${missing.tokenName} is not there either`;
    }
    let nameFree: boolean | undefined;
    try {
      const status = await client.registries.checkNameAvailability({
        name: registry.name,
        type: 'Microsoft.ContainerRegistry/registries',
      });
      nameFree = status.nameAvailable;
    } catch (err) {
      // Refused: a subscription-scope action, which a Reader on resource groups does not carry.
      if (restErrorInfo(err).statusCode !== 403) throw armFailure(err, 'registry name check');
    }
    if (nameFree === false) throw new RegistryMovedError(registry, missing);
    return nameFree
      ? `the registry was deleted, and its tokens with it: Azure answered ${absentCode} at its recorded id, and the name ${registry.name} is free in Azure`
      : `the registry was deleted, and its tokens with it, as far as acrbot can see: Azure answered ${absentCode} at its recorded id, no registry ${registry.name} is in subscription ${registry.subscriptionId}, and acrbot may not ask Azure whether the name is still taken`;
  }

  /**
   * Whether the token is on the registry at `where`: false only when ARM says it is not there;
   * the read's failure (refused, or any other) when acrbot cannot tell, which counts as there.
   */
  private async tokenAt(where: RegistryRef, tokenName: string): Promise<boolean | { failure: unknown }> {
    try {
      const client = this.client(where.subscriptionId);
      return (await unlessAbsent(() => client.tokens.get(where.resourceGroup, where.name, tokenName))) !== undefined;
    } catch (err) {
      return { failure: armFailure(err, 'token read') };
    }
  }

  /** What a 403 on the registry's scope meant, read with the registry's own client ({@link goneBehindRefusal}). */
  private goneBehind(err: unknown, registry: RegistryRef, what: string): Promise<ResourceGoneError | undefined> {
    return goneBehindRefusal(
      err,
      { kind: 'registry', ...registry },
      (r) => this.client(r.subscriptionId).registries.get(r.resourceGroup, r.name),
      `the ${what} on registry ${registry.name}`,
    );
  }
}

/** The token (and its scope map) a deletion looked for on its recorded registry and did not find. */
export interface MissingToken {
  tokenName: string;
  scopeMapName?: string;
}

/**
 * A registry is not at the id acrbot recorded, and a registry of its name exists elsewhere (moved
 * to another resource group or subscription, with its tokens): the token acrbot recorded may
 * still sign in there. acrbot does not delete what is not at the id it recorded (G15): the
 * revocation fails, is retried and reported, and says what an operator can do.
 */
export class RegistryMovedError extends UserFacingError {
  /**
   * `at`: the id of the registry of that name, when acrbot can see it; `readFailure`: why the
   * token could not be read there (the error's cause).
   */
  constructor(registry: RegistryRef, missing: MissingToken, at?: string, readFailure?: { failure: unknown }) {
    const what = `token ${missing.tokenName}${missing.scopeMapName ? ` (and scope map ${missing.scopeMapName})` : ''}`;
    const where = at
      ? `but a registry of that name exists at ${at} (moved?). acrbot does not act on objects other than the ones it recorded, so it has not deleted ${what} there, and the token's password may still sign in. Delete ${what} there by hand (the next attempt then finds it gone and finishes), or move the registry back.`
      : `but Azure says a registry of that name still exists (the name is taken) where acrbot cannot see it: moved to another subscription, or to a resource group acrbot may not read? acrbot does not act on objects other than the ones it recorded, so the token's password may still sign in there. Delete ${what} in that registry by hand, or move the registry back; the next attempt finishes once acrbot can see that the token is gone (the registry back at its id, or acrbot's Reader on its new resource group in the same subscription).`;
    super(
      'registry.moved',
      `Registry ${registry.name} is no longer at its recorded id ${registryId(registry)}, ${where}`,
      { cause: readFailure?.failure },
    );
    this.name = 'RegistryMovedError';
  }
}

/** A registry id as ARM writes one (subscription GUID, resource group and registry name rules). */
const MOVED_REGISTRY_ID =
  /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.ContainerRegistry\/registries\/[a-z0-9]{5,50}$/i;

/** A registry's ARM id, as acrbot recorded its parts. */
function registryId(registry: RegistryRef): string {
  return `/subscriptions/${registry.subscriptionId}/resourceGroups/${registry.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${registry.name}`;
}

/** An ARM error code as a sentence may quote it (ARM's shape only: no text from the wire). */
function quotedCode(code: string | undefined): string {
  return code && /^[A-Za-z][A-Za-z0-9_.]{0,79}$/.test(code) ? code : 'NotFound';
}

/**
 * The failure of an operation ARM answered with a success status whose body could not be read (a
 * JSON body cut short by a proxy, say), or undefined for any other failure. The SDK's parse error
 * quotes the whole body in its message, and generateCredentials' body holds the new password
 * (G12): nothing of it is kept, neither its message nor the error as `cause`; only the code,
 * status and the ids the answer can be looked up by. A success status says the write may well
 * have been done: callers take the status below 300 as "not known", never as a refusal.
 */
function unreadableAnswer(err: unknown, what: string, requestId?: string): CloudApiError | undefined {
  const { statusCode, code } = restErrorInfo(err);
  if (statusCode === undefined || statusCode >= 300) return undefined;
  return new CloudApiError(
    code ?? 'Unknown',
    statusCode,
    `${what} answered ${statusCode}, but its body could not be read (content withheld)`,
    errorRequestId(err) ?? requestId,
    errorCorrelationRequestId(err),
  );
}
