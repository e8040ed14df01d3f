/**
 * The emulated Microsoft Graph v1.0 (CONTRACTS §4) over the shared {@link Directory}: service
 * principal lookup and creation, applications and their passwords, group membership. Never
 * imports bot code.
 *
 * Requests live under `/v1.0`. Errors use Graph's envelope with `innerError {date, request-id,
 * client-request-id}`. A malformed object id or `(appId='…')` key is Graph's 400
 * `Request_BadRequest`, not a 404 (graph-errors.ts). Faults and the request log work as in the
 * ARM emulator.
 *
 * Operation names (request log, fault targets):
 * - `servicePrincipals.getByAppId|list|get|create|delete|owners|transitiveMemberOf`
 * - `applications.create|list|get|getByAppId|getByUniqueName|upsert|owners|federatedIdentityCredentials|addPassword|removePassword|delete`
 * - `directoryObjects.checkMemberGroups` (for `/users/{id}/…`, `/directoryObjects/{id}/…` and
 *   `/servicePrincipals/{id}/…` alike), `users.get`, `users.list` (user-list-routes.ts),
 *   `users.transitiveMemberOf`, `groups.get`,
 *   `groups.transitiveMembers` (with or without a cast segment; group-member-routes.ts)
 * - `directory.deletedItems.get|delete` (deleted-item-routes.ts)
 * - `unknown` for paths no route serves.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultRegistry, type FiredFault } from '../arm/faults';
import { RequestLog } from '../arm/request-log';
import { parseRequestTarget, Router, splitPath } from '../arm/router';
import { headerValue, operationOf, RecordingEmulator } from '../recording-emulator';
import { graphDate, type Directory } from '../directory';
import { SANDBOX_BOT_OBJECT_ID } from '../fixtures';
import { HttpError, writeReply, type EmulatorReply } from '../http-util';
import { audienceAccepted, bearerAudience, SERVICE_AUDIENCES } from '../identity/access-tokens';
import { applicationRoutes } from './application-routes';
import { CredentialHoldings } from './credential-holdings';
import { deletedItemRoutes } from './deleted-item-routes';
import { noBackingApplication } from './graph-errors';
import type { ApplicationPermission, GraphRoute } from './graph-route';
import { groupMemberRoutes } from './group-member-routes';
import { membershipRoutes } from './membership-routes';
import { servicePrincipalRoutes } from './service-principal-routes';
import { userListRoutes } from './user-list-routes';

/** Options of {@link GraphEmulator}. */
export interface GraphEmulatorOptions {
  directory: Directory;
  /**
   * Token audiences to accept besides the emulator's own origin; default Graph's
   * (`https://graph.microsoft.com` and its app id `00000003-…`).
   */
  audiences?: readonly string[];
  /** Object id of the caller; default `SANDBOX_BOT_OBJECT_ID`. */
  callerObjectId?: string;
  /** `OwnedBy` (default, least privilege) or `All`. */
  applicationPermission?: ApplicationPermission;
  recordRequests?: boolean;
  maxRecordedRequests?: number;
}

const CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const DEFAULT_CODES: Record<number, string> = {
  400: 'Request_BadRequest',
  403: 'Authorization_RequestDenied',
  404: 'Request_ResourceNotFound',
  409: 'Request_MultipleObjectsWithSameKeyValue',
  429: 'TooManyRequests',
  500: 'generalException',
  503: 'serviceNotAvailable',
};

/** The Graph emulator. Mount {@link GraphEmulator.listener} on an HTTPS server. */
export class GraphEmulator extends RecordingEmulator {
  readonly directory: Directory;
  /**
   * Who else can act as an application or service principal: federated credentials,
   * certificates, a service principal's own owners and passwords. Tests plant foreign ones here.
   */
  readonly holdings: CredentialHoldings;
  readonly faults = new FaultRegistry();
  readonly log: RequestLog;
  /** The accepted token audiences (besides the origin the request was sent to). */
  audiences: readonly string[];
  callerObjectId: string;
  /** How far the caller's application permission reaches; `OwnedBy` denies writes to apps it did not create. */
  applicationPermission: ApplicationPermission;

  private readonly router = new Router<GraphRoute>();

  constructor(opts: GraphEmulatorOptions) {
    super();
    this.directory = opts.directory;
    this.holdings = new CredentialHoldings(opts.directory);
    this.audiences = opts.audiences ?? SERVICE_AUDIENCES.graph;
    this.callerObjectId = opts.callerObjectId ?? SANDBOX_BOT_OBJECT_ID;
    this.applicationPermission = opts.applicationPermission ?? 'OwnedBy';
    this.log = new RequestLog({
      enabled: opts.recordRequests ?? true,
      ...(opts.maxRecordedRequests ? { cap: opts.maxRecordedRequests } : {}),
    });
    this.router.add(
      ...servicePrincipalRoutes(),
      ...applicationRoutes(),
      ...membershipRoutes(),
      ...groupMemberRoutes(),
      ...userListRoutes(),
      ...deletedItemRoutes(),
    );
  }

  /** The directory, under the name the ARM emulator uses for its world (`graph.state.replicationDelay = 2`). */
  get state(): Directory {
    return this.directory;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const requestId = randomUUID();
    const clientRequestId = headerValue(req, 'client-request-id') ?? requestId;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = parseRequestTarget(req.url ?? '/');
    const all = splitPath(url.pathname);
    const version = all[0];
    const segments = all.slice(1);
    const match = version === 'v1.0' ? this.router.match(method, segments) : ({ kind: 'not-found' } as const);
    const operation = operationOf(match);

    const reply = await this.answer(req, {
      operation,
      path: url.pathname,
      precheck: () => this.authenticate(req),
      invalidJson: () =>
        new HttpError(
          400,
          'BadRequest',
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        ),
      faultError: (fault, body) => faultError(fault, operation, body),
      route: (body) => {
        if (version !== 'v1.0') throw new HttpError(400, 'BadRequest', `Invalid version: ${version ?? ''}`);
        if (match.kind === 'not-found')
          throw new HttpError(400, 'BadRequest', `Resource not found for the segment '${segments[0] ?? ''}'.`);
        if (match.kind === 'method-not-allowed')
          throw new HttpError(
            405,
            'Request_BadRequest',
            `The HTTP method '${method}' is not allowed on this resource.`,
          );
        return match.route.handle({
          directory: this.directory,
          holdings: this.holdings,
          params: match.params,
          query: url.query,
          body,
          serviceRoot: `https://${req.headers.host ?? 'localhost'}/v1.0`,
          callerObjectId: this.callerObjectId,
          applicationPermission: this.applicationPermission,
          headers: req.headers,
        });
      },
      errorReply: (e) => errorReply(e, requestId, clientRequestId),
    });
    writeReply(
      res,
      {
        ...reply,
        headers: {
          ...reply.headers,
          'request-id': requestId,
          'client-request-id': clientRequestId,
          'Cache-Control': 'no-cache',
        },
      },
      CONTENT_TYPE,
    );
    this.log.record({
      method,
      path: url.pathname,
      operation,
      status: reply.status,
      apiVersion: version === 'v1.0' ? 'v1.0' : undefined,
      requestId,
      at,
    });
  }

  /**
   * 401 InvalidAuthenticationToken (Graph's envelope, with its `WWW-Authenticate` challenge)
   * unless the bearer token is a sandbox token for Graph's audience or the origin the request was
   * sent to (what the bot asks for with a custom endpoint). Graph's messages: "Access token is
   * empty.", "…Invalid audience." for another resource's token, a parse failure for anything else.
   */
  private authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization;
    const challenge = {
      'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
    };
    if (!header) throw new HttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge);
    const audience = bearerAudience(header);
    if (audience === undefined)
      throw new HttpError(
        401,
        'InvalidAuthenticationToken',
        'CompactToken parsing failed with error code: 80049217',
        challenge,
      );
    if (!audienceAccepted(audience, [...this.audiences, `https://${req.headers.host ?? 'localhost'}`]))
      throw new HttpError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience.',
        challenge,
      );
  }
}

/** Fault → Graph error. A 400 fault on servicePrincipals.create defaults to the replication-delay error. */
function faultError(fault: FiredFault, operation: string, body: unknown): HttpError {
  const status = fault.status ?? 500;
  const code = fault.rule.code ?? DEFAULT_CODES[status] ?? 'InjectedFault';
  if (!fault.rule.message && operation === 'servicePrincipals.create' && code === 'Request_BadRequest') {
    const appId = (body as { appId?: unknown } | undefined)?.appId;
    return new HttpError(
      status,
      code,
      noBackingApplication(typeof appId === 'string' ? appId : '').message,
      fault.headers,
    );
  }
  const message =
    fault.rule.message ??
    (status === 429
      ? 'Too many requests. Please retry after the time given in Retry-After.'
      : `Injected ${status} fault for operation '${operation}'.`);
  return new HttpError(status, code, message, fault.headers);
}

/** Graph's envelope, with `innerError` (CONTRACTS §4); ARM's differs, so each emulator has its own. */
function errorReply(e: unknown, requestId: string, clientRequestId: string): EmulatorReply {
  const innerError = {
    date: graphDate().replace(/Z$/, ''),
    'request-id': requestId,
    'client-request-id': clientRequestId,
  };
  if (e instanceof HttpError)
    return { status: e.status, headers: e.headers, body: { error: { code: e.code, message: e.message, innerError } } };
  return {
    status: 500,
    body: {
      error: {
        code: 'generalException',
        message: `Sandbox Graph emulator error: ${(e as Error)?.message ?? String(e)}`,
        innerError,
      },
    },
  };
}
