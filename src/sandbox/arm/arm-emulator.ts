/**
 * The emulated Azure Resource Manager: AKS clusters, container registries (scope maps, tokens,
 * credentials), role assignments and permissions, served over HTTPS to the real Azure SDK clients
 * (CONTRACTS §0–3). Never imports bot code.
 *
 * Per request: read the body, route (case-insensitive, `//` collapsed), check the bearer token,
 * require a well-formed `api-version` (any version) and a GUID subscription id, apply injected
 * latency/faults, check the caller's rights, run the handler, and answer with ARM's headers and
 * error envelope; then log the call.
 *
 * Operation names (request log, fault targets):
 * - `managedClusters.get|list|listByResourceGroup|listClusterUserCredential|listClusterAdminCredential`
 * - `registries.get|list|listByResourceGroup|generateCredentials|checkNameAvailability`
 * - `scopeMaps.get|list|create|delete|operationStatus`, `tokens.get|list|create|update|delete|operationStatus`
 * - `roleAssignments.create|get|delete|listForScope`, `roleDefinitions.get|list`
 * - `permissions.listForResource|listForResourceGroup`
 * - `unknown` for paths no route serves.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SANDBOX_BOT_OBJECT_ID } from '../fixtures';
import type { Directory } from '../directory';
import { HttpError, writeReply, type EmulatorReply } from '../http-util';
import { audienceAccepted, bearerAudience, SERVICE_AUDIENCES } from '../identity/access-tokens';
import { isGuid } from './arm-ids';
import { invalidApiVersion, invalidSubscriptionId } from './arm-errors';
import { armFaultError } from './arm-faults';
import type { ArmRoute } from './arm-route';
import { clusterRoutes } from './cluster-routes';
import { CutAnswers } from './cut-answers';
import { FaultRegistry } from './faults';
import { permissionRoutes } from './permission-routes';
import { RateLimitCounters } from './rate-limit';
import { registryRoutes } from './registry-routes';
import { RequestLog } from './request-log';
import { roleAssignmentRoutes } from './role-assignment-routes';
import { roleDefinitionRoutes } from './role-definition-routes';
import { parseRequestTarget, Router, splitPath } from './router';
import { headerValue, operationOf, RecordingEmulator } from '../recording-emulator';
import { scopeMapRoutes } from './scope-map-routes';
import { type ArmClock, ArmState } from './state';
import { tokenRoutes } from './token-routes';

/** Options of {@link ArmEmulator}. */
export interface ArmEmulatorOptions {
  /** The shared directory (principals for role assignments). Its tenant is ARM's tenant. */
  directory: Directory;
  /**
   * Token audiences to accept besides the emulator's own origin; default ARM's
   * (`https://management.azure.com`, `https://management.core.windows.net`, with and without `/`).
   */
  audiences?: readonly string[];
  /** Object id of the caller; default `SANDBOX_BOT_OBJECT_ID`. */
  callerObjectId?: string;
  /** Page size of list operations; default 50. */
  pageSize?: number;
  /** false: keep no request log (benchmarks). Default true. */
  recordRequests?: boolean;
  /** Cap of the request log; default 10 000. */
  maxRecordedRequests?: number;
  /** The time role assignments are stamped and tokens dated with; default the wall clock ({@link ArmState.clock}). */
  clock?: ArmClock;
}

/** The ARM emulator. Mount {@link ArmEmulator.listener} on an HTTPS server. */
export class ArmEmulator extends RecordingEmulator {
  /** World state and its seeding/inspection API. */
  readonly state: ArmState;
  /** Fault injection: `arm.faults.add({ operation: 'roleAssignments.create', status: 400, code: 'PrincipalNotFound', count: 3 })`. */
  readonly faults = new FaultRegistry();
  /** Answers cut short after the call was carried out: `arm.cutAnswers.add({ operation: 'registries.generateCredentials' })`. */
  readonly cutAnswers = new CutAnswers();
  /** Request log; see {@link ArmEmulator.requests}. */
  readonly log: RequestLog;
  /** The accepted token audiences (besides the origin the request was sent to). */
  audiences: readonly string[];

  private readonly router = new Router<ArmRoute>();
  private readonly rateLimits = new RateLimitCounters();

  constructor(opts: ArmEmulatorOptions) {
    super();
    this.audiences = opts.audiences ?? SERVICE_AUDIENCES.arm;
    this.state = new ArmState({
      tenantId: opts.directory.tenantId,
      callerObjectId: opts.callerObjectId ?? SANDBOX_BOT_OBJECT_ID,
      directory: opts.directory,
      pageSize: opts.pageSize ?? 50,
      ...(opts.clock && { clock: opts.clock }),
    });
    this.log = new RequestLog({
      enabled: opts.recordRequests ?? true,
      ...(opts.maxRecordedRequests ? { cap: opts.maxRecordedRequests } : {}),
    });
    // Permission and role-assignment routes end in fixed suffixes after a variable scope, so
    // they cannot shadow the fixed-length resource routes; order only matters within a family.
    this.router.add(
      ...clusterRoutes(),
      ...registryRoutes(),
      ...scopeMapRoutes(),
      ...tokenRoutes(),
      ...permissionRoutes(),
      ...roleAssignmentRoutes(),
      ...roleDefinitionRoutes(),
    );
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = parseRequestTarget(req.url ?? '/');
    const segments = splitPath(url.pathname);
    const path =
      '/' +
      url.pathname
        .split('/')
        .filter((s) => s !== '')
        .join('/');
    const apiVersion = url.query.get('api-version') ?? undefined;
    const match = this.router.match(method, segments);
    const operation = operationOf(match);

    const action = match.kind === 'found' ? match.route.action : undefined;
    const reply = await this.answer(req, {
      operation,
      path,
      precheck: () => {
        this.authenticate(req);
        if (!apiVersion)
          throw new HttpError(
            400,
            'MissingApiVersionParameter',
            'The api-version query parameter (?api-version=) is required for all requests.',
          );
        if (!API_VERSION.test(apiVersion)) throw invalidApiVersion(apiVersion);
        const subscriptionId = segments[0]?.toLowerCase() === 'subscriptions' ? segments[1] : undefined;
        if (subscriptionId !== undefined && !isGuid(subscriptionId)) throw invalidSubscriptionId(subscriptionId);
      },
      invalidJson: (e) =>
        new HttpError(
          400,
          'InvalidRequestContent',
          `The request content was invalid and could not be deserialized: ${e.message}`,
        ),
      faultError: (fault, body) =>
        armFaultError(fault, {
          operation,
          method,
          path,
          body,
          tenantId: this.state.tenantId,
          callerObjectId: this.state.callerObjectId,
          action,
        }),
      route: (body) => {
        if (match.kind === 'not-found')
          throw new HttpError(
            404,
            'InvalidResourceType',
            `The sandbox ARM emulator has no resource type or operation at '${method} ${path}'.`,
          );
        if (match.kind === 'method-not-allowed')
          throw new HttpError(405, 'MethodNotAllowed', `The requested method ${method} is not allowed for '${path}'.`);
        if (action && this.state.access.isDenied(actionScope(path, action), action)) {
          throw this.state.refuse(path, action, actionScope(path, action));
        }
        return match.route.handle({
          state: this.state,
          params: match.params,
          query: url.query,
          body,
          path,
          baseUrl: `https://${req.headers.host ?? 'localhost'}`,
        });
      },
      errorReply,
    });

    const headers: Record<string, string> = {
      ...reply.headers,
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': headerValue(req, 'x-ms-correlation-request-id') ?? requestId,
      ...this.rateLimits.headersFor(method, at),
      'Cache-Control': 'no-cache',
    };
    const clientRequestId = headerValue(req, 'x-ms-client-request-id');
    if (clientRequestId) headers['x-ms-client-request-id'] = clientRequestId;
    if (!this.cutAnswers.writeIfCut(res, operation, path, { ...reply, headers }))
      writeReply(res, { ...reply, headers });
    this.log.record({ method, path: url.pathname, operation, status: reply.status, apiVersion, requestId, at });
  }

  /**
   * 401 unless `Authorization: Bearer <token>` carries a sandbox token for ARM's audience (or the
   * origin the request was sent to, which is what the SDKs ask for with a custom endpoint). A token
   * for another resource gets ARM's InvalidAuthenticationTokenAudience, anything else
   * InvalidAuthenticationToken, each with its `WWW-Authenticate` challenge.
   */
  private authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization;
    const challenge = (description: string) => ({
      'WWW-Authenticate': `Bearer authorization_uri="https://login.windows.net/${this.state.tenantId}", error="invalid_token", error_description="${description}"`,
    });
    if (!header)
      throw new HttpError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        challenge("The authentication failed because of missing 'Authorization' header."),
      );
    const audience = bearerAudience(header);
    if (audience === undefined)
      throw new HttpError(
        401,
        'InvalidAuthenticationToken',
        'The access token is invalid.',
        challenge('The access token is invalid.'),
      );
    const accepted = [...this.audiences, `https://${req.headers.host ?? 'localhost'}`];
    if (!audienceAccepted(audience, accepted)) {
      const message = `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences ${accepted.map((a) => `'${a}'`).join(',')}.`;
      throw new HttpError(401, 'InvalidAuthenticationTokenAudience', message, challenge(message));
    }
  }
}

/**
 * A well-formed api-version: a date (ARM also lists a few `YYYY-MM` ones) with optional
 * `-preview`-style suffixes. Which versions exist is not checked (CONTRACTS §0.4).
 */
const API_VERSION = /^\d{4}-\d{2}(-\d{2})?(-[a-z][a-z0-9]*)*$/i;

/** For a POST `…/{resource}/{verb}` action the scope is the resource, not the verb's path. */
function actionScope(path: string, action: string): string {
  return action.endsWith('/action') ? path.slice(0, path.lastIndexOf('/')) : path;
}

/** ARM's envelope `{error:{code,message}}` (CONTRACTS §1); Graph's differs (innerError), so each emulator has its own. */
function errorReply(e: unknown): EmulatorReply {
  if (e instanceof HttpError)
    return { status: e.status, headers: e.headers, body: { error: { code: e.code, message: e.message } } };
  return {
    status: 500,
    body: {
      error: {
        code: 'InternalServerError',
        message: `Sandbox ARM emulator error: ${(e as Error)?.message ?? String(e)}`,
      },
    },
  };
}
