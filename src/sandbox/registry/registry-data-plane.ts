/**
 * The registries' data plane, as far as acrbot's pull check reaches it: ACR's Basic-auth token
 * endpoint (https://azure.github.io/acr/Token-BasicAuth.html), one emulator for every seeded
 * registry (`*.azurecr.io` does not resolve here, so the bot is pointed at this server and the
 * documented `service` parameter names the registry).
 *
 * `GET /oauth2/token?service={loginServer}&scope=repository:{name}:pull` with
 * `Authorization: Basic base64(appId:password)`:
 * - 200 `{ access_token }`, a registry token (JWT, not meant to be verified by the caller) whose
 *   `access` claim grants `pull` on the asked repository when the application's service principal
 *   holds a pull role on the registry (the ARM emulator's `hasPullAccess`: AcrPull, or Container
 *   Registry Repository Reader on an ABAC registry) that has reached the data plane, and no action
 *   otherwise (the docker token spec: the subset of the asked actions the caller holds);
 * - 401 `UNAUTHORIZED` without a credential, for one that is no password of an application in
 *   the directory (its end date is not checked: see the code), or for a password Entra has not replicated yet ({@link passwordLagProbes});
 * - 403 `DENIED` "client with IP '…' is not allowed access" when the registry's network rules
 *   keep the caller out (public network access disabled, or default action Deny without the
 *   caller's address among the IP rules);
 * - 404 `NAME_UNKNOWN` for a `service` no registry answers to (real DNS would not resolve it).
 *
 * A role assignment reaches the data plane minutes after ARM has it: {@link assignmentLagProbes}
 * token requests of a principal on a registry are answered without `pull` first (counted in
 * requests, not time, so tests are deterministic). Default 0: the sandbox's demos stay quick.
 * Only acrbot's check calls this; nothing pulls images here. Requests are recorded without their
 * password ({@link probes}).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArmState } from '../arm/state';
import type { Directory } from '../directory';
import { writeReply } from '../http-util';

/** One answered token request, as tests read it (never the password). */
export interface RegistryProbe {
  loginServer: string;
  username: string;
  status: number;
  /** The actions the answer granted (200 only). */
  granted?: string[];
}

/** The emulated data plane of the sandbox's registries. */
export class RegistryDataPlane {
  /**
   * Token requests of a principal on a registry answered without `pull` before its role assignment
   * has reached the data plane (Azure: usually minutes). Counted per registry and principal.
   */
  assignmentLagProbes = 0;
  /** Token requests answered 401 for a new password before Entra has replicated it. Per password. */
  passwordLagProbes = 0;
  /** Every answered token request, oldest first. */
  readonly probes: RegistryProbe[] = [];
  /** Called with each answered token request before the answer is sent (tests look at the world then). */
  onProbe?: (probe: RegistryProbe) => void;

  private readonly assignmentSeen = new Map<string, number>();
  private readonly passwordSeen = new Map<string, number>();

  constructor(
    private readonly arm: ArmState,
    private readonly directory: Directory,
  ) {}

  /** Node request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://registry.invalid');
    if (req.method !== 'GET' || url.pathname !== '/oauth2/token') {
      writeReply(res, acrError(404, 'NOT_FOUND', 'not found'));
      return;
    }
    const service = (url.searchParams.get('service') ?? '').toLowerCase();
    const repository = /^repository:([^:]+):/.exec(url.searchParams.get('scope') ?? '')?.[1];
    const basic = basicCredential(req.headers.authorization);
    const answer = this.answer(service, repository, basic, req.socket.remoteAddress ?? '');
    const probe: RegistryProbe = {
      loginServer: service,
      username: basic?.username ?? '',
      status: answer.status,
      ...(answer.granted ? { granted: answer.granted } : {}),
    };
    this.probes.push(probe);
    this.onProbe?.(probe);
    writeReply(res, answer.reply);
  };

  private answer(
    service: string,
    repository: string | undefined,
    basic: { username: string; password: string } | undefined,
    remoteAddress: string,
  ): { status: number; reply: ReturnType<typeof acrError>; granted?: string[] } {
    const fail = (status: number, code: string, message: string) => ({
      status,
      reply: acrError(status, code, message),
    });
    const registry = this.arm.listRegistries().find((r) => r.loginServer === service);
    if (!registry) return fail(404, 'NAME_UNKNOWN', `registry ${service} is not known`);
    const ip = remoteAddress.replace(/^::ffff:/, '');
    const keptOut =
      registry.publicNetworkAccess === 'Disabled' ||
      (registry.networkRuleSet.defaultAction === 'Deny' && !registry.networkRuleSet.ipRules.includes(ip));
    if (keptOut)
      return fail(
        403,
        'DENIED',
        `client with IP '${ip}' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.`,
      );
    if (!basic || !repository) return fail(401, 'UNAUTHORIZED', 'authentication required');
    const sp = this.directory.getServicePrincipalByAppId(basic.username);
    // Any password the application holds, whatever its end date: the bot under test often runs
    // on a clock of its own, whose "valid for a day" may lie before this machine's time.
    if (!sp || !this.directory.verifyApplicationSecret(basic.username, basic.password, 0))
      return fail(401, 'UNAUTHORIZED', 'authentication required');
    if (this.lagging(this.passwordSeen, passwordKey(basic), this.passwordLagProbes))
      return fail(401, 'UNAUTHORIZED', 'authentication required');
    const holds = this.arm.hasPullAccess(registry.id, sp.id);
    const applied = holds && !this.lagging(this.assignmentSeen, `${registry.id}|${sp.id}`, this.assignmentLagProbes);
    const granted = applied ? ['pull'] : [];
    return {
      status: 200,
      granted,
      reply: { status: 200, body: { access_token: registryToken(service, basic.username, repository, granted) } },
    };
  }

  /** True while `key` has been asked about fewer than `lag` times before (counting this one). */
  private lagging(seen: Map<string, number>, key: string, lag: number): boolean {
    const count = seen.get(key) ?? 0;
    seen.set(key, count + 1);
    return count < lag;
  }
}

/** ACR's error envelope. */
function acrError(status: number, code: string, message: string) {
  return { status, body: { errors: [{ code, message, detail: null }] } as unknown };
}

/** The Basic credential of an Authorization header, if it has one. */
function basicCredential(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon).toLowerCase(), password: text.slice(colon + 1) };
}

/** A key for one password that holds no part of it. */
function passwordKey(basic: { username: string; password: string }): string {
  return createHash('sha256').update(`${basic.username}:${basic.password}`).digest('hex');
}

/** A registry token shaped as ACR's (RS256 header; the signature is random: nobody verifies it here). */
function registryToken(service: string, subject: string, repository: string, actions: string[]): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = {
    jti: randomBytes(8).toString('hex'),
    sub: subject,
    nbf: now,
    exp: now + 3600,
    iat: now,
    iss: 'Azure Container Registry',
    aud: service,
    version: '1.0',
    access: [{ type: 'repository', name: repository, actions }],
  };
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}
