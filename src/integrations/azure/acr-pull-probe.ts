/**
 * Asks an Azure Container Registry whether a credential can pull, through ACR's documented
 * Basic-auth token endpoint (https://azure.github.io/acr/Token-BasicAuth.html):
 * `GET https://{loginServer}/oauth2/token?service={loginServer}&scope=repository:{repo}:pull` with
 * `Authorization: Basic base64(username:password)`. A 200 carries a registry token whose `access`
 * claim lists the actions granted: by the docker token spec the server grants the subset of the
 * asked actions the caller holds, so `pull` there means the credential's role has reached the
 * registry's data plane. Nothing is pulled and nothing changes.
 *
 * The token is decoded, not verified: it is the registry's answer to this very request, over TLS
 * checked as every other call's (the pooled client, its proxy and the shared agent's CA).
 *
 * The password leaves only in the Authorization header: no log line, error or answer of this
 * class carries it (G12). Failures are logged by their code and status alone, never as the error
 * object, whose request would hold the header.
 */
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { Agent } from 'node:https';
import type { PullProbeAnswer, RegistryPullProbe } from '../../domain/ports';
import type { SecretValue } from '../../domain/secret-value';
import type { Logger } from '../../observability/logger';
import { sharedHttpClient } from '../http/pooled-http-client';

/**
 * The repository the check asks to pull. AcrPull (and, on an ABAC registry, Container Registry
 * Repository Reader without a condition) covers every repository, existing or not, so a name no
 * registry is likely to hold asks about the role alone and reads nothing of anyone's images.
 */
export const PULL_CHECK_REPOSITORY = 'acrbot-pull-check';

/** Longest wait for one answer: the check is a courtesy, never a reason to hold a run long. */
const PULL_PROBE_TIMEOUT_MS = 10_000;

/**
 * ACR's 403 to a client its network rules keep out ("client with IP '…' is not allowed access",
 * or public network access disabled): acrbot cannot check from where it runs.
 */
const NETWORK_REFUSAL = /not allowed access|network access|aka\.ms\/acr\/firewall/i;

/** Where and how the probe calls. */
export interface AcrPullProbeOptions {
  /**
   * The base URL of `loginServer`'s data plane; default `https://{loginServer}`. The sandbox
   * maps every registry to its one emulator (which tells them apart by the `service` parameter).
   */
  baseUrl?: (loginServer: string) => string;
  /** The shared keep-alive agent (it carries the sandbox CA; see `keepAliveAgent`). */
  agent?: Agent;
  /** Default the process's pooled client (tests give their own). */
  http?: HttpClient;
  timeoutMs?: number;
  log?: Logger;
}

/** {@link RegistryPullProbe} over ACR's token endpoint. */
export class AcrPullProbe implements RegistryPullProbe {
  constructor(private readonly options: AcrPullProbeOptions = {}) {}

  async canPull(
    registry: { loginServer: string },
    credential: { username: string; password: SecretValue },
    signal?: AbortSignal,
  ): Promise<PullProbeAnswer> {
    const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
    const { loginServer } = registry;
    const base = this.options.baseUrl?.(loginServer) ?? `https://${loginServer}`;
    const query = `service=${encodeURIComponent(loginServer)}&scope=${encodeURIComponent(`repository:${PULL_CHECK_REPOSITORY}:pull`)}`;
    const basic = Buffer.from(`${credential.username}:${credential.password.reveal()}`).toString('base64');
    const request = rest.createPipelineRequest({
      url: `${base}/oauth2/token?${query}`,
      method: 'GET',
      headers: rest.createHttpHeaders({ accept: 'application/json', authorization: `Basic ${basic}` }),
      timeout: this.options.timeoutMs ?? PULL_PROBE_TIMEOUT_MS,
      ...(signal ? { abortSignal: signal } : {}),
    });
    // Not an option of createPipelineRequest (the SDK's agentPolicy sets it the same way).
    if (this.options.agent) request.agent = this.options.agent;
    let status: number;
    let body: string;
    try {
      const response = await (this.options.http ?? sharedHttpClient()).sendRequest(request);
      status = response.status;
      body = response.bodyAsText ?? '';
    } catch (err) {
      // The code only: the error's request carries the Authorization header.
      const code = (err as { code?: unknown } | null)?.code;
      this.options.log?.warn(
        { registry: loginServer, code: typeof code === 'string' ? code : 'error' },
        'the registry did not answer the pull check',
      );
      return 'unreachable';
    }
    const answer = answerOf(status, body);
    if (answer === 'unreachable')
      this.options.log?.warn({ registry: loginServer, status }, 'the registry answered the pull check with no verdict');
    return answer;
  }
}

/** What an answer of the token endpoint says (exported for the unit test). */
export function answerOf(status: number, body: string): PullProbeAnswer {
  if (status === 200) {
    const granted = grantedActions(body);
    return granted === undefined
      ? 'unreachable'
      : granted.includes('pull') || granted.includes('*')
        ? 'pulls'
        : 'denied';
  }
  if (status === 401) return 'unauthorized';
  // The network rules' 403 says where acrbot asks from, not what the credential may do.
  if (status === 403) return NETWORK_REFUSAL.test(body) ? 'unreachable' : 'denied';
  return 'unreachable';
}

/**
 * The actions the answer's registry token grants on {@link PULL_CHECK_REPOSITORY}, or undefined
 * when the answer holds no token that can be read.
 */
function grantedActions(body: string): string[] | undefined {
  try {
    const token = (JSON.parse(body) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string') return undefined;
    const payload = token.split('.')[1];
    if (!payload) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { access?: unknown };
    const access = Array.isArray(claims.access) ? (claims.access as unknown[]) : [];
    return access.flatMap((entry) => {
      const e = entry as { type?: unknown; name?: unknown; actions?: unknown } | null;
      if (e?.type !== 'repository' || e.name !== PULL_CHECK_REPOSITORY || !Array.isArray(e.actions)) return [];
      return e.actions.filter((a): a is string => typeof a === 'string');
    });
  } catch {
    return undefined;
  }
}
