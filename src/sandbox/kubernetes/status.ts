/**
 * `Status` error bodies, shaped exactly as the real API server writes them
 * (k8s.io/apimachinery/pkg/api/errors). Key order follows the Go struct order
 * (kind, apiVersion, metadata, status, message, reason, details, code) because tests and
 * CONTRACTS.md §5 compare the JSON text. Empty `details` members are omitted like Go's omitempty.
 */

/** One cause inside `details.causes` (a field validation error, usually). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `details` of a Status. Only non-empty members are serialised. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A `meta/v1` Status as sent on the wire. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Thrown inside handlers; the router turns it into the HTTP response. */
export class StatusError extends Error {
  /** The body to send; `code` is the HTTP status. */
  readonly body: StatusBody;
  /** Extra response headers (e.g. Retry-After on 429). */
  readonly headers: Record<string, string>;

  constructor(body: StatusBody, headers: Record<string, string> = {}) {
    super(body.message ?? body.reason ?? `HTTP ${body.code}`);
    this.name = 'StatusError';
    this.body = body;
    this.headers = headers;
  }

  /** HTTP status code. */
  get code(): number {
    return this.body.code;
  }
}

/** Builds a failure Status in Go field order, dropping empty optional parts. */
export function failure(
  code: number,
  reason: string | undefined,
  message: string | undefined,
  details?: StatusDetails,
): StatusBody {
  // Built key by key so the JSON comes out in wire order, with `code` last.
  const ordered: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' };
  if (message) ordered.message = message;
  if (reason) ordered.reason = reason;
  if (details) ordered.details = orderDetails(details);
  ordered.code = code;
  return ordered as unknown as StatusBody;
}

/** A success Status, as the server answers DELETE of resources that do not return the object. */
export function success(details: StatusDetails): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: orderDetails(details),
  } as unknown as StatusBody;
}

function orderDetails(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** 401: the authenticator rejected the bearer token (or there was none). No details, like the real server. */
export function unauthorized(): StatusError {
  return new StatusError(failure(401, 'Unauthorized', 'Unauthorized'));
}

/** 404 for a named object: `secrets "acr-pull" not found`. */
export function notFound(resource: string, name: string): StatusError {
  return new StatusError(failure(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));
}

/** 404 for a URL the server has no route for. */
export function pathNotFound(): StatusError {
  return new StatusError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
}

/** 409 AlreadyExists on create. */
export function alreadyExists(resource: string, name: string): StatusError {
  return new StatusError(
    failure(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource }),
  );
}

/** 409 Conflict for an optimistic-concurrency failure (stale `metadata.resourceVersion`). */
export function conflict(
  resource: string,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): StatusError {
  return new StatusError(
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, {
      name,
      kind: resource,
    }),
  );
}

/** 403 with an authorizer message built by the RBAC module. */
export function forbidden(resource: string, name: string | undefined, message: string): StatusError {
  return new StatusError(failure(403, 'Forbidden', message, { name, kind: resource }));
}

/**
 * 403 the NamespaceLifecycle admission plugin answers to a create in a namespace being deleted
 * (phase Terminating), with its `NamespaceTerminating` cause on `metadata.namespace`.
 */
export function namespaceTerminating(resource: string, name: string, namespace: string): StatusError {
  return new StatusError(
    failure(
      403,
      'Forbidden',
      `${resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name,
        kind: resource,
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    ),
  );
}

/** A field validation error, as k8s.io/apimachinery/pkg/util/validation/field renders it. */
export interface FieldError {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueTooLong`, `FieldValueForbidden`... */
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueTooLong' | 'FieldValueForbidden';
  field: string;
  /** The offending value, quoted into the message for `Invalid`. */
  value?: string;
  detail?: string;
}

/** Renders the part after `field: ` the way field.Error.ErrorBody does. */
export function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired':
      return e.detail ? `Required value: ${e.detail}` : 'Required value';
    case 'FieldValueForbidden':
      return e.detail ? `Forbidden: ${e.detail}` : 'Forbidden';
    case 'FieldValueTooLong':
      return e.detail ? `Too long: ${e.detail}` : 'Too long';
    case 'FieldValueInvalid': {
      const base = `Invalid value: ${JSON.stringify(e.value ?? '')}`;
      return e.detail ? `${base}: ${e.detail}` : base;
    }
  }
}

/**
 * 422 Invalid (errors.NewInvalid): `Secret "acr-pull" is invalid: data[.dockerconfigjson]: Required value`.
 * `kind` here is the Kind (`Secret`), not the resource, and several errors are listed in brackets.
 */
export function invalid(kind: string, name: string, errors: FieldError[]): StatusError {
  const rendered = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  const causes = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  return new StatusError(failure(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes }));
}

/**
 * 422 from a JSON Patch that does not apply. The real server wraps the json-patch error in
 * errors.NewGenericServerResponse(422, ...) with isUnexpectedResponse=false, which drops the
 * cause text: the client only sees this generic message and empty details.
 */
export function patchNotApplicable(): StatusError {
  return new StatusError(failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}));
}

/** 400 BadRequest (errors.NewBadRequest): no details. */
export function badRequest(message: string): StatusError {
  return new StatusError(failure(400, 'BadRequest', message));
}

/** 415 for a body in a media type the endpoint does not take. */
export function unsupportedMediaType(accepted: readonly string[]): StatusError {
  return new StatusError(
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    ),
  );
}

/** 405 for a verb the route does not support. */
export function methodNotAllowed(): StatusError {
  return new StatusError(
    failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  );
}

/** 413 for request bodies over the server's limit. */
export function requestEntityTooLarge(message: string): StatusError {
  return new StatusError(failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`));
}

/**
 * Reasons and default messages of errors.NewGenericServerResponse, by code: what a client makes
 * of a bare answer, and the reason the real server's own error for that code carries. A 403's
 * message (and a 415's) is the server's own, so none is named here: see {@link generic}.
 */
const GENERIC: Record<number, [reason: string, message?: string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  415: ['UnsupportedMediaType'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  500: ['InternalError', 'an error on the server ("") has prevented the request from succeeding'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: [
    'Timeout',
    'the server was unable to return a response in the time allotted, but may still be processing the request',
  ],
};

/**
 * A Status for an arbitrary code, used by fault injection. Reasons and default messages follow
 * errors.NewGenericServerResponse so clients classify them as they would real ones; a code it
 * does not name is `InternalError` from 500 up, `Unknown` below. A 403 should be given the
 * server's message (faults.ts gives the authorizer's when the rule names none).
 */
export function generic(code: number, message?: string, retryAfterSeconds?: number): StatusError {
  const [reason, known] = GENERIC[code] ?? [code >= 500 ? 'InternalError' : 'Unknown'];
  const defaultMessage =
    known ?? `the server responded with the status code ${code} but did not return more information`;
  const headers: Record<string, string> = retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {};
  return new StatusError(
    failure(code, reason, message ?? defaultMessage, retryAfterSeconds ? { retryAfterSeconds } : {}),
    headers,
  );
}
