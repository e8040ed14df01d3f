/**
 * KubernetesEmulator: an HTTPS server speaking enough of the Kubernetes API (core/v1
 * namespaces, secrets, serviceaccounts, plus discovery) for `@kubernetes/client-node` and
 * `kubectl` to work against it as against a real cluster. Request pipeline, in the real
 * server's order: authentication (401) → fault injection → authorization (403) → handler, whose
 * validating admission (a cluster's policies: webhooks, ResourceQuota) runs after validation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Admission } from './admission';
import { apiGroupList, apiVersions, coreV1ResourceList, versionInfo } from './discovery';
import { Faults } from './faults';
import {
  createObject,
  deleteCollection,
  deleteObject,
  getObject,
  listObjects,
  patchObject,
  replaceObject,
  tryParseJson,
  type HandlerContext,
  type HandlerResult,
} from './handlers';
import { renderKubeconfig } from './kubeconfig';
import { RESOURCES } from './resources';
import { Rbac } from './rbac';
import { normalisePath, PUBLIC_DOCS, route, type DiscoveryDoc, type Route } from './router';
import { untilClosed } from '../held-calls';
import { bearerToken, DroppedConnection, internalError, readBody, writeJson } from './http-io';
import { badRequest, methodNotAllowed, pathNotFound, StatusError, unauthorized } from './status';
import { ObjectStore } from './store';
import type { KubeObject, RequestLogEntry, ResourceName, TlsMaterial } from './types';

/** Options for {@link KubernetesEmulator}. */
export interface KubernetesEmulatorOptions {
  /** Server certificate, key and the CA clients must trust (e.g. from `createSandboxTls`). */
  tls: TlsMaterial;
  /** Accepted bearer tokens and the username each authenticates as. */
  tokens: Record<string, string>;
  /**
   * Consulted for a token not in `tokens` (like a webhook token authenticator, e.g. AKS's Entra
   * ID one): the username it authenticates as, or undefined for 401 Unauthorized.
   */
  authenticate?: (token: string) => string | undefined;
  /** Cluster name used in generated kubeconfigs (default `sandbox-cluster`). */
  clusterName?: string;
  /** Most requests the request log keeps (default {@link REQUEST_LOG_CAP}). */
  requestLogCap?: number;
  /** Namespaces that exist at start, each with a `default` ServiceAccount (default: default, kube-system, kube-public). */
  namespaces?: string[];
  /** Clock, for creationTimestamp and the AGE column (default `() => new Date()`). */
  now?: () => Date;
}

/** Parameters of {@link KubernetesEmulator.kubeconfig}. */
export interface KubeconfigUser {
  /** Bearer token to put in the kubeconfig (need not be a known one: tests of 401 use unknown tokens). */
  token: string;
  /** kubeconfig user entry name (default: the token's username, else `user`). */
  name?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** Server URL override (default: the URL `start()` returned). */
  server?: string;
}

/** See the module comment. Create, `await start()`, use `kubeconfig()`, `await stop()`. */
/** The handler of each Kubernetes verb (a verb not listed is 405). */
/** Most requests {@link KubernetesEmulator.requests} keeps (the ARM and Graph logs' default cap). */
export const REQUEST_LOG_CAP = 10_000;

const VERB_HANDLERS: Partial<Record<string, (ctx: HandlerContext) => HandlerResult | Promise<HandlerResult>>> = {
  get: getObject,
  list: listObjects,
  create: createObject,
  update: replaceObject,
  patch: patchObject,
  delete: deleteObject,
  deletecollection: deleteCollection,
};

export class KubernetesEmulator {
  /** Deny rules for authorization (default allow). */
  readonly rbac = new Rbac();
  /** Injected failures (429/5xx, delays, dropped connections) and held requests. */
  readonly faults = new Faults();
  /** The cluster's policies: denying admission webhooks and object-count ResourceQuotas (none by default). */
  readonly admission = new Admission();
  /** The requests answered, oldest first: the newest `requestLogCap` ({@link REQUEST_LOG_CAP} by default). */
  readonly requests: RequestLogEntry[] = [];

  private readonly store: ObjectStore;
  private readonly tokens: Map<string, string>;
  private readonly requestLogCap: number;
  private readonly authenticator: ((token: string) => string | undefined) | undefined;
  private readonly clusterName: string;
  private readonly tlsMaterial: TlsMaterial;
  private readonly now: () => Date;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private baseUrl: string | undefined;

  constructor(options: KubernetesEmulatorOptions) {
    this.tlsMaterial = options.tls;
    this.tokens = new Map(Object.entries(options.tokens));
    this.authenticator = options.authenticate;
    this.clusterName = options.clusterName ?? 'sandbox-cluster';
    this.requestLogCap = options.requestLogCap ?? REQUEST_LOG_CAP;
    this.now = options.now ?? (() => new Date());
    this.store = new ObjectStore(this.now);
    for (const ns of options.namespaces ?? ['default', 'kube-system', 'kube-public']) this.createNamespace(ns);
  }

  /** Starts listening. Port 0 picks a free port. Resolves with the base URL (`https://127.0.0.1:PORT`). */
  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    if (this.server) throw new Error('KubernetesEmulator already started');
    const server = createServer(
      { cert: this.tlsMaterial.certPem, key: this.tlsMaterial.keyPem, ca: this.tlsMaterial.caPem },
      (req, res) => {
        void this.handle(req, res);
      },
    );
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // TLS handshake failures (a client not trusting the CA) are the client's problem; keep them off stderr.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.baseUrl = `https://${hostPart}:${addr.port}`;
    return { url: this.baseUrl };
  }

  /**
   * An injected delay (a fault's `delayMs`), or less when the caller's connection closes first
   * ({@link untilClosed}): a caller that gave up (its deadline) or an emulator stopped with its
   * connections destroyed leaves no timer behind, so a test that injected "never answers" (60 s)
   * does not keep the process alive after it.
   */
  private delay(req: IncomingMessage, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return untilClosed(req, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))).finally(() =>
      clearTimeout(timer),
    );
  }

  /**
   * Stops listening and destroys open (keep-alive) connections so it returns promptly; requests
   * delayed or held by a fault go on at once, to their destroyed connections.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Base URL once started. */
  get url(): string {
    if (!this.baseUrl) throw new Error('KubernetesEmulator not started');
    return this.baseUrl;
  }

  /** The CA certificate (PEM) clients must trust. */
  get caPem(): string {
    return this.tlsMaterial.caPem;
  }

  /** A kubeconfig YAML for this emulator with a bearer token and the CA pinned. Requires `start()` first (for the URL). */
  kubeconfig(user: KubeconfigUser): string {
    return renderKubeconfig({
      server: user.server ?? this.url,
      caPem: this.tlsMaterial.caPem,
      clusterName: this.clusterName,
      userName: user.name ?? this.userOf(user.token) ?? 'user',
      token: user.token,
      namespace: user.namespace,
    });
  }

  /** Accepts another bearer token. */
  addToken(token: string, username: string): void {
    this.tokens.set(token, username);
  }

  /** Stops accepting a token (e.g. to simulate expiry). */
  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** The username `token` authenticates as: the token table first, then the `authenticate` option. */
  private userOf(token: string): string | undefined {
    return this.tokens.get(token) ?? this.authenticator?.(token);
  }

  /** Creates a namespace with its `default` ServiceAccount (idempotent). */
  createNamespace(name: string): void {
    if (this.store.get('namespaces', undefined, name)) return;
    const ns = RESOURCES.namespaces.normalise({ metadata: { name } });
    this.store.create('namespaces', undefined, ns);
    this.createDefaultServiceAccount(name);
  }

  /**
   * Puts a namespace in phase Terminating, as a delete held by a finalizer leaves it (test setup):
   * creates in it are then refused (403 NamespaceTerminating). Returns whether it existed.
   */
  terminateNamespace(name: string): boolean {
    const ns = this.store.get('namespaces', undefined, name);
    if (!ns) return false;
    this.store.update('namespaces', undefined, name, { ...ns, status: { phase: 'Terminating' } });
    return true;
  }

  /** A copy of a stored object as the API would return it, or undefined. `namespace` is ignored for namespaces. */
  getObject(resource: ResourceName, namespace: string, name: string): KubeObject | undefined {
    const def = RESOURCES[resource];
    const obj = this.store.get(resource, def.namespaced ? namespace : undefined, name);
    return obj ? ({ kind: def.kind, apiVersion: 'v1', ...obj } as KubeObject) : undefined;
  }

  /** Copies of stored objects of a resource (in one namespace, or all). */
  listObjects(resource: ResourceName, namespace?: string): KubeObject[] {
    const def = RESOURCES[resource];
    return this.store
      .list(resource, def.namespaced ? namespace : undefined)
      .map((o) => ({ kind: def.kind, apiVersion: 'v1', ...o }) as KubeObject);
  }

  /**
   * Stores an object directly (test setup), bypassing auth, RBAC and validation but still getting
   * uid/resourceVersion/creationTimestamp. Replaces an existing object of the same name.
   */
  seedObject(resource: ResourceName, object: KubeObject): KubeObject {
    const def = RESOURCES[resource];
    const ns = def.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    const obj = def.normalise({ ...object, metadata: { ...object.metadata, resourceVersion: undefined } });
    if (ns !== undefined) this.createNamespace(ns);
    const name = obj.metadata.name as string;
    const stored = this.store.get(resource, ns, name)
      ? this.store.update(resource, ns, name, obj)
      : this.store.create(resource, ns, obj);
    if (resource === 'namespaces') this.createDefaultServiceAccount(name);
    return stored;
  }

  /** Deletes an object directly (test setup). Returns whether it existed. */
  deleteObject(resource: ResourceName, namespace: string, name: string): boolean {
    const ns = RESOURCES[resource].namespaced ? namespace : undefined;
    if (!this.store.get(resource, ns, name)) return false;
    this.store.delete(resource, ns, name);
    return true;
  }

  /**
   * Deletes an object as another client's DELETE does (test setup, e.g. in a fault's `meanwhile`),
   * through the DELETE handler but without auth, RBAC, faults or the request log: one with
   * finalizers is only marked (`deletionTimestamp`, a new resourceVersion) and kept, which
   * {@link KubernetesEmulator.deleteObject} would skip. Returns the object left (marked), or undefined when it was
   * removed or did not exist.
   */
  deleteAsClient(resource: ResourceName, namespace: string, name: string): KubeObject | undefined {
    const def = RESOURCES[resource];
    if (!this.store.get(resource, def.namespaced ? namespace : undefined, name)) return undefined;
    deleteObject({
      store: this.store,
      def,
      namespace,
      name,
      query: new URLSearchParams(),
      rawBody: '',
      now: this.now(),
    });
    return this.getObject(resource, namespace, name);
  }

  /** Empties the request log. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  private createDefaultServiceAccount(namespace: string): void {
    if (!this.store.get('serviceaccounts', namespace, 'default')) {
      this.store.create('serviceaccounts', namespace, { metadata: { name: 'default', namespace } });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    // Split by hand: `new URL('//api//v1', base)` would read `//api` as a host.
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = normalisePath(q >= 0 ? rawUrl.slice(0, q) : rawUrl);
    const query = q >= 0 ? rawUrl.slice(q + 1) : '';
    const entry: RequestLogEntry = {
      method,
      path,
      query,
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      status: 0,
      user: undefined,
    };
    let result: HandlerResult;
    let headers: Record<string, string> = {};
    try {
      const raw = await readBody(req);
      entry.body = tryParseJson(raw);
      result = await this.process(req, method, path, new URLSearchParams(query), raw, entry);
    } catch (err) {
      if (err instanceof DroppedConnection) {
        this.record(entry);
        req.socket.destroy();
        return;
      }
      const status = err instanceof StatusError ? err : internalError(err);
      result = { status: status.code, body: status.body };
      headers = status.headers;
    }
    entry.status = result.status;
    this.record(entry);
    writeJson(res, result.status, result.body, headers);
  }

  /**
   * Logs an answered request, keeping the newest `requestLogCap`: a sandbox bot run for
   * days (`npm start`) would otherwise keep every request and its body (a docker config) in memory.
   * Oldest dropped in batches, as the ARM log does (a splice per call would be quadratic).
   */
  private record(entry: RequestLogEntry): void {
    this.requests.push(entry);
    if (this.requests.length > this.requestLogCap)
      this.requests.splice(0, this.requests.length - Math.floor(this.requestLogCap * 0.9));
  }

  private async process(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    raw: string,
    entry: RequestLogEntry,
  ): Promise<HandlerResult> {
    let r: Route;
    try {
      r = route(method, path, query);
    } catch {
      throw badRequest(`malformed path: ${path}`);
    }

    const token = bearerToken(req.headers.authorization);
    if (token !== undefined) {
      entry.user = this.userOf(token);
      if (entry.user === undefined) throw unauthorized();
    } else if (!(r.type === 'discovery' && PUBLIC_DOCS.has(r.doc))) {
      throw unauthorized();
    }

    const target = r.type === 'resource' || r.type === 'methodNotAllowed' ? r : undefined;
    const fault = this.faults.take({
      method,
      path,
      verb: r.type === 'resource' ? r.verb : undefined,
      resource: target?.def.name,
      namespace: target?.namespace,
      name: target?.name,
      user: entry.user,
    });
    if (fault) {
      if (fault.delayMs > 0) await this.delay(req, fault.delayMs);
      // Held until the test releases it, or its caller's connection closes (as a delay).
      if (fault.held) await untilClosed(req, fault.held);
      fault.meanwhile?.();
      if (fault.drop) throw new DroppedConnection();
      if (fault.error) throw fault.error;
    }

    switch (r.type) {
      case 'notFound':
        throw pathNotFound();
      case 'methodNotAllowed':
        throw methodNotAllowed();
      case 'discovery':
        return { status: 200, body: this.discovery(r.doc, req) };
      case 'resource':
        break;
    }

    const denied = this.rbac.check({
      user: entry.user ?? 'system:anonymous',
      verb: r.verb,
      resource: r.def.name,
      namespace: r.namespace,
      name: r.name,
    });
    if (denied) throw denied;

    const def = r.def;
    const ctx: HandlerContext = {
      store: this.store,
      def,
      namespace: r.namespace,
      name: r.name,
      query,
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      rawBody: raw,
      now: this.now(),
      onNamespaceCreated: (name) => this.createDefaultServiceAccount(name),
      note: (text) => {
        entry.note = text;
      },
      admit: (operation, name) =>
        this.admission.check({
          operation,
          resource: def.name,
          namespace: r.namespace,
          name,
          count: () => this.store.list(def.name, def.namespaced ? r.namespace : undefined).length,
        }),
    };
    const handler = VERB_HANDLERS[r.verb];
    if (!handler) throw methodNotAllowed();
    return handler(ctx);
  }

  private discovery(doc: DiscoveryDoc, req: IncomingMessage): object {
    switch (doc) {
      case 'version':
        return versionInfo();
      case 'api':
        return apiVersions(req.headers.host ?? new URL(this.url).host);
      case 'apiV1':
        return coreV1ResourceList();
      case 'apis':
        return apiGroupList();
      case 'health':
        return { status: 'ok' };
    }
  }
}
