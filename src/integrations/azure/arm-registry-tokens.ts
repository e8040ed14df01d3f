/** ACR scope maps, tokens and generateCredentials with `@azure/arm-containerregistry`. */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { ResourceGoneError } from '../../domain/errors';
import type { RegistryTokenPort, RegistryTokenStatus, WriteResult } from '../../domain/ports';
import { CloudApiError } from '../../domain/ports';
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
