/** ACR scope maps, tokens and generateCredentials with `@azure/arm-containerregistry`. */
import type { ContainerRegistryManagementClient, Token } from '@azure/arm-containerregistry';
import type { RegistryInfo } from '../../domain/azure-model';
import { type ResourceGoneError, UserFacingError } from '../../domain/errors';
import type {
  DeleteResult,
  RegistryTokenCount,
  RegistryTokenPort,
  RegistryTokenRead,
  RegistryTokenStatus,
  WriteResult,
} from '../../domain/ports';
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
import { MAX_LIST_PAGES, NextLinkGuard } from './arm-next-link';
import { goneBehindRefusal } from './refused-or-gone';
import { registryResourceId } from '../../domain/typed-names';

type RegistryRef = { subscriptionId: string; resourceGroup: string; name: string };

/**
 * What the adapter needs of ARM's registries (an ArmResourceReader): a subscription's SDK client
 * for the token and scope-map calls, and its registries listed through ArmRest, whose nextLink
 * checks the SDK's own pager does not make.
 */
export interface RegistryArm {
  acrClient(subscriptionId: string): ContainerRegistryManagementClient;
  listRegistries(subscriptionId: string): Promise<RegistryInfo[]>;
}

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

/**
 * When Azure made a token, as ISO 8601: its own `creationDate`, else ARM's record of its creation
 * (`systemData.createdAt`); both optional in the API. The same for a read and a create's answer,
 * so the date a run records and the one a revocation reads compare as text.
 */
function tokenCreationDate(token: Pick<Token, 'creationDate' | 'systemData'>): string | undefined {
  return (token.creationDate ?? token.systemData?.createdAt)?.toISOString();
}

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
  private readonly configuredSubscriptions: readonly string[];

  /**
   * `operationTimeoutMs`: see {@link ARM_OPERATION_TIMEOUT_MS}. `operationDeadline` (tests): the
   * signal that ends the wait for one operation (`what`, e.g. `token create`) instead of that
   * timer (undefined: the timer), so a test ends it at an event rather than guess how long
   * the machine takes to get there. `subscriptionIds`: the subscriptions acrbot is configured
   * for, where a registry no longer at its recorded id is looked for by name
   * ({@link missingTokenReason}).
   */
  constructor(
    private readonly arm: RegistryArm,
    options: {
      operationTimeoutMs?: number;
      operationDeadline?: (what: string) => AbortSignal | undefined;
      subscriptionIds?: readonly string[];
    } = {},
  ) {
    this.configuredSubscriptions = options.subscriptionIds ?? [];
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
      this.arm
        .acrClient(registry.subscriptionId)
        .scopeMaps.create(
          registry.resourceGroup,
          registry.name,
          scopeMapName,
          { actions, description: 'acrbot: pull only' },
          options as never,
        ),
    );
    return { id: map.id ?? `${registry.id}/scopeMaps/${scopeMapName}`, created: true, requestId };
  }

  async getToken(registry: RegistryRef, tokenName: string): Promise<RegistryTokenRead | undefined> {
    const client = this.arm.acrClient(registry.subscriptionId);
    const token = await this.readChild('token read', registry, () =>
      client.tokens.get(registry.resourceGroup, registry.name, tokenName),
    );
    return (
      token && {
        id: token.id ?? tokenName,
        scopeMapId: token.scopeMapId,
        provisioningState: token.provisioningState,
        status: token.status,
        creationDate: tokenCreationDate(token),
      }
    );
  }

  /**
   * The registry's tokens and own scope maps counted (ACR lists its built-in scope maps with the
   * user's, typed `SystemDefined`; its limit counts the user's), and its SKU, read together.
   * Each listing is counted page by page ({@link countListed}) until its end, or until it reaches
   * `options.stopAt` of the SKU (once the SKU is known: the first pages may come before its
   * read). The SKU is `registry.sku` when the caller has it (the plan's registry, read from ARM
   * moments before: registryFromWire), and only without it one GET of the registry.
   * `options.abortSignal` goes with the SKU read and each listing's first page, and is looked at
   * before each further page. A failure is thrown as the read it was (`token listing`,
   * `scope map listing`, `registry read`).
   */
  async countTokens(
    registry: RegistryRef & { sku?: string },
    options: { stopAt?: (sku: string | undefined) => number | undefined; abortSignal?: AbortSignal } = {},
  ): Promise<RegistryTokenCount> {
    const client = this.arm.acrClient(registry.subscriptionId);
    const { resourceGroup: rg, name } = registry;
    const { abortSignal } = options;
    // Undefined until the SKU is known, and after it when stopAt gives none.
    let stopAt = registry.sku ? options.stopAt?.(registry.sku) : undefined;
    const bounds = { abortSignal, stopAt: () => stopAt };
    const [tokens, scopeMaps, sku] = await Promise.all([
      countListed(
        'token listing',
        (o) => client.tokens.list(rg, name, o as never),
        () => true,
        bounds,
      ),
      countListed(
        'scope map listing',
        (o) => client.scopeMaps.list(rg, name, o as never),
        (map) => map.typePropertiesType?.toLowerCase() !== 'systemdefined',
        bounds,
      ),
      registry.sku
        ? registry.sku
        : client.registries.get(rg, name, { ...(abortSignal && { abortSignal }) }).then(
            (r) => {
              stopAt = options.stopAt?.(r.sku?.name);
              return r.sku?.name;
            },
            (err: unknown) => {
              throw armFailure(err, 'registry read');
            },
          ),
    ]);
    return { tokens, scopeMaps, ...(typeof sku === 'string' && sku && { sku }) };
  }

  async getScopeMap(
    registry: RegistryRef,
    scopeMapName: string,
  ): Promise<{ id: string; provisioningState?: string } | undefined> {
    const client = this.arm.acrClient(registry.subscriptionId);
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
  ): Promise<WriteResult & { status?: RegistryTokenStatus; creationDate?: string }> {
    const { result: token, requestId } = await this.operation('token create', (options) =>
      this.arm
        .acrClient(registry.subscriptionId)
        .tokens.create(
          registry.resourceGroup,
          registry.name,
          tokenName,
          { scopeMapId, status: 'enabled' },
          options as never,
        ),
    );
    // Dated as a read dates it: the run records it, and the revocation compares the two (G15).
    return { id: token.id ?? tokenName, requestId, status: token.status, creationDate: tokenCreationDate(token) };
  }

  async generatePassword(
    registry: RegistryRef,
    tokenId: string,
    expiresAt: string,
  ): Promise<{ username: string; password: SecretValue; requestId?: string }> {
    const expiry = new Date(expiresAt);
    const { result, requestId } = await this.operation('generateCredentials', (options) =>
      this.arm
        .acrClient(registry.subscriptionId)
        .registries.generateCredentials(
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

  async deleteToken(registry: RegistryRef, tokenName: string): Promise<DeleteResult> {
    return this.deleteChild('token delete', registry, (options) =>
      this.arm
        .acrClient(registry.subscriptionId)
        .tokens.delete(registry.resourceGroup, registry.name, tokenName, options as never),
    );
  }

  async deleteScopeMap(registry: RegistryRef, scopeMapName: string): Promise<DeleteResult> {
    return this.deleteChild('scope map delete', registry, (options) =>
      this.arm
        .acrClient(registry.subscriptionId)
        .scopeMaps.delete(registry.resourceGroup, registry.name, scopeMapName, options as never),
    );
  }

  /**
   * A delete whose 404 ({@link isAbsent}: not a subscription ARM cannot find) means it is gone
   * already, as does a 403 after which the registry reads 404 (its deletion took acrbot's rights
   * on it: refused-or-gone.ts). Resolves the answer's `x-ms-request-id`, that of the 404 or 403
   * too: the deletion's audit entry carries it.
   */
  private async deleteChild(
    what: string,
    registry: RegistryRef,
    start: (options: OperationOptions) => Poller<void>,
  ): Promise<DeleteResult> {
    try {
      const { requestId } = await this.operation(what, start);
      return { requestId };
    } catch (err) {
      // Wrapped by `operation` (a CloudApiError with the same status and code, and the answer's
      // request id): the 404 is its cause.
      const gone = { requestId: err instanceof CloudApiError ? err.requestId : errorRequestId(err) };
      if (err instanceof CloudApiError && isAbsent(err)) return gone;
      if (await this.goneBehind(err, registry, what)) return gone;
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
   * credential is there ({@link MissingRegistry}). A registry is moved with its tokens and scope
   * maps (same name and login server, another id), so a registry not at its id (ARM reads it 404)
   * is looked for by its name, which is Azure-wide, in the listing of every subscription acrbot
   * is configured for (what acrbot may read there; a subscription it may not list is skipped):
   * - found with the token (or the token unreadable there): {@link RegistryMovedError}, retried
   *   and reported. acrbot acts only on the objects at the ids it recorded (G15): it reads there,
   *   never deletes; once the token is gone there (deleted by hand, or the registry moved back or
   *   deleted) the next attempt ends it;
   * - found without the token: the token is not there (deleted by hand, or the name reused);
   * - seen nowhere: ARM's checkNameAvailability, only as information. The name free: the
   *   registry was deleted with its tokens. Taken, or the check refused (a subscription-scope
   *   action acrbot's deployment does not grant): ended for acrbot's records, but unconfirmed
   *   (moved out of sight, or the name reused by someone else): never retried for ever over a
   *   registry acrbot cannot see, which may not be acrbot's at all.
   * Any other failure is thrown as it is (retried).
   */
  async missingTokenReason(registry: RegistryRef, missing: MissingToken): Promise<MissingRegistry | undefined> {
    const client = this.arm.acrClient(registry.subscriptionId);
    let absentCode: string;
    try {
      await client.registries.get(registry.resourceGroup, registry.name);
      return undefined;
    } catch (err) {
      if (!isAbsent(err)) throw armFailure(err, 'registry read');
      absentCode = quotedCode(restErrorInfo(err).code);
    }
    const recordedId = registryResourceId(registry);
    const found = await this.registriesNamed(registry);
    // Listed at its recorded id after all (the read came before ARM caught up): it is there.
    if (found.some((id) => sameResourceId(id, recordedId))) return undefined;
    const notHere = `registry ${registry.name} is no longer at its recorded id (Azure answered ${absentCode})`;
    const seen: string[] = [];
    for (const id of found) {
      const where = parseResourceId(id);
      if (!where) continue;
      const tokenThere = await this.tokenAt(where, missing.tokenName);
      if (tokenThere !== false)
        throw new RegistryMovedError(registry, missing, id, tokenThere === true ? undefined : tokenThere);
      seen.push(id);
    }
    if (seen.length)
      return {
        note: `${notHere}, and token ${missing.tokenName} is not in the registry of that name now at ${seen.join(' or ')}: deleted there by hand, or the name was reused`,
      };
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
    if (nameFree)
      return {
        note: `the registry was deleted, and its tokens with it: Azure answered ${absentCode} at its recorded id, and the name ${registry.name} is free in Azure`,
      };
    const what = credentialWords(missing);
    const elsewhere =
      nameFree === false
        ? `its name is in use elsewhere, where acrbot cannot read (the registry was moved there, or its name reused)`
        : `acrbot may not ask Azure whether its name is in use elsewhere (the registry was deleted, or moved where acrbot cannot read)`;
    const listed = this.subscriptionIds(registry);
    return {
      note: `${notHere}, and acrbot can list no registry of that name in subscription${listed.length > 1 ? 's' : ''} ${listed.join(', ')}; ${elsewhere}: ended for acrbot's records, unconfirmed (if the registry was moved, its token still signs in until deleted)`,
      unconfirmed: `Registry ${registry.name} is not at its recorded id ${recordedId}, and ${elsewhere}. acrbot has ended the access in its records, but cannot confirm that ${what} is gone: if the registry was moved, its token still signs in until deleted. If it was moved, delete ${what} in that registry by hand.`,
    };
  }

  /**
   * The subscriptions a registry is looked for in: its recorded one first, then every one acrbot
   * is configured for (no repeats, any case).
   */
  private subscriptionIds(registry: RegistryRef): string[] {
    const all = [registry.subscriptionId, ...this.configuredSubscriptions];
    return all.filter((s, i) => all.findIndex((t) => t.toLowerCase() === s.toLowerCase()) === i);
  }

  /**
   * The ids of the registries named `registry.name` in what acrbot may list of each of
   * {@link subscriptionIds}: a subscription whose listing is refused (403) or not found (404) is
   * one acrbot cannot see into, and is skipped; any other failure is thrown (retried). An id from
   * the wire counts only in ARM's own shape (it is quoted to people). Listed by the reader
   * ({@link RegistryArm.listRegistries}), not the SDK's pager: a nextLink to another origin (which
   * would get the bearer token), round a loop or past the page limit fails the listing, thrown as
   * a `registry listing failed` naming the refusal, instead of a revocation that never ends.
   */
  private async registriesNamed(registry: RegistryRef): Promise<string[]> {
    const ids: string[] = [];
    for (const subscriptionId of this.subscriptionIds(registry)) {
      try {
        for (const r of await this.arm.listRegistries(subscriptionId))
          if (r.id && r.name.toLowerCase() === registry.name.toLowerCase() && MOVED_REGISTRY_ID.test(r.id))
            ids.push(r.id);
      } catch (err) {
        const status = restErrorInfo(err).statusCode;
        if (status !== 403 && status !== 404) throw armFailure(err, 'registry listing');
      }
    }
    return ids;
  }

  /**
   * Whether the token is on the registry at `where`: false only when ARM says it is not there;
   * the read's failure (refused, or any other) when acrbot cannot tell, which counts as there.
   */
  private async tokenAt(where: RegistryRef, tokenName: string): Promise<boolean | { failure: unknown }> {
    try {
      const client = this.arm.acrClient(where.subscriptionId);
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
      (r) => this.arm.acrClient(r.subscriptionId).registries.get(r.resourceGroup, r.name),
      `the ${what} on registry ${registry.name}`,
    );
  }
}

/** As much of the SDK's paged listings as {@link countListed} uses: one page at a time. */
interface PagedListing<T> {
  byPage(settings?: { continuationToken?: string }): AsyncIterator<T[] & { continuationToken?: string }>;
}

/**
 * How many items of an SDK listing `counts` keeps, over every page, or `bounds.stopAt()` once the
 * count reaches it (asked after each page: it may come to be known while the listing goes on):
 * no further page is asked for, and the count is given as exactly that ("at least"). Taken one
 * page at a time, so each nextLink is checked before it is asked for, as ArmRest checks its own
 * ({@link NextLinkGuard}): only to the origin the first page came from, never a page already
 * asked for (a loop), at most {@link MAX_LIST_PAGES} pages; otherwise the listing fails, as `what`.
 *
 * `bounds.abortSignal` goes with the first page's request (its retries, its wait), and is looked
 * at before each further page: once it aborts, none is asked for and the count rejects with its
 * reason. The SDK sends a nextLink's page without the caller's options (its paging helper's
 * `pathUnchecked(link).get()`), so a page already asked for at the abort is answered (with the
 * pipeline's retries of it), unread: at most one page per listing after the caller stopped waiting.
 *
 * Past {@link MAX_LIST_PAGES} without reaching `stopAt` the count fails (read as unread by the
 * plan, logged): ARM documents no page size for these listings, so 500 pages below Premium's
 * 50,000 (pages under 100 items) cannot be told from a service handing out nextLinks for ever.
 * For Basic (100) and Standard (500), reaching the cap below the limit takes pages of under one
 * item: a loop of empty pages. Either way the plan's abort comes first: it waits at most 15 s
 * (secret-target-check.ts TARGET_CHECK_MS), and 500 pages one after another at ARM's usual tens
 * to hundreds of milliseconds each take longer.
 */
async function countListed<T>(
  what: string,
  list: (options: {
    onResponse: (raw: { request: { url: string } }) => void;
    abortSignal?: AbortSignal;
  }) => PagedListing<T>,
  counts: (item: T) => boolean,
  bounds: { abortSignal?: AbortSignal; stopAt: () => number | undefined },
): Promise<number> {
  const { abortSignal } = bounds;
  let origin: string | undefined;
  const links = new NextLinkGuard(what);
  let link: string | undefined;
  let count = 0;
  const reached = () => {
    const stopAt = bounds.stopAt();
    return stopAt !== undefined && count >= stopAt ? stopAt : undefined;
  };
  // A stopAt of 0 (nothing to judge by) asks for no page at all.
  const none = reached();
  if (none !== undefined) return none;
  try {
    for (;;) {
      abortSignal?.throwIfAborted();
      const pages = list({
        onResponse: (raw) => void (origin ??= new URL(raw.request.url).origin),
        ...(abortSignal && { abortSignal }),
      }).byPage(link === undefined ? undefined : { continuationToken: link });
      const { value: page } = await pages.next();
      for (const item of page ?? []) if (counts(item)) count++;
      // Before the nextLink is judged: a page that is not asked for need not be sound.
      const stopped = reached();
      if (stopped !== undefined) return stopped;
      link = page?.continuationToken ?? undefined;
      if (!link) return count;
      links.follow(link, origin);
    }
  } catch (err) {
    // The checks' own errors as they are; ARM's answers explained as the listing.
    throw restErrorInfo(err).statusCode === undefined ? err : armFailure(err, what);
  }
}

/** The token (and its scope map) a deletion looked for on its recorded registry and did not find. */
export interface MissingToken {
  tokenName: string;
  scopeMapName?: string;
}

/**
 * Why nothing of a token credential is on its registry, when the registry is not at its recorded
 * id: `note` for the audit entry; `unconfirmed`, when acrbot cannot confirm the token is gone
 * (the registry seen nowhere acrbot can list, and its name taken or not to be asked about), the
 * sentence approvers are told once.
 */
export interface MissingRegistry {
  note: string;
  unconfirmed?: string;
}

/** "token T (and scope map M)": what an operator deletes by hand. */
function credentialWords(missing: MissingToken): string {
  return `token ${missing.tokenName}${missing.scopeMapName ? ` (and scope map ${missing.scopeMapName})` : ''}`;
}

/**
 * A registry is not at the id acrbot recorded, and the registry of its name acrbot can see
 * elsewhere holds a token of the recorded name (or its tokens cannot be read there): moved with
 * its tokens, whose passwords still sign in. acrbot does not delete what is not at the id it
 * recorded (G15): the revocation fails, is retried and reported, and says what an operator can
 * do. The message ends without a full stop: the approvers' report puts it in parentheses.
 */
export class RegistryMovedError extends UserFacingError {
  /** `at`: the id of the registry of that name; `readFailure`: why the token could not be read there (the cause). */
  constructor(registry: RegistryRef, missing: MissingToken, at: string, readFailure?: { failure: unknown }) {
    const what = credentialWords(missing);
    const holds = readFailure
      ? `acrbot could not read whether it holds token ${missing.tokenName}`
      : `it holds token ${missing.tokenName}`;
    super(
      'registry.moved',
      `Registry ${registry.name} is no longer at its recorded id ${registryResourceId(registry)}, but a registry of that name is at ${at} (moved?), and ${holds}. acrbot deletes only the objects at the ids it recorded, so it has not deleted anything there: if the registry was moved, its token still signs in until deleted. Delete ${what} there by hand, or move the registry back; the next attempt then finds it gone and finishes`,
      { cause: readFailure?.failure },
    );
    this.name = 'RegistryMovedError';
  }
}

/** A registry id as ARM writes one (subscription GUID, resource group and registry name rules). */
const MOVED_REGISTRY_ID =
  /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.ContainerRegistry\/registries\/[a-z0-9]{5,50}$/i;

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
