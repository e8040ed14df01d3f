/**
 * One keep-alive HTTPS agent per cluster access. client-node 1.4 builds a new `https.Agent`
 * (no keep-alive) for every API call (`KubeConfig.applySecurityAuthentication` calls
 * `createAgent` each time), so each call paid a TCP connection and a full TLS handshake. Here
 * the agent is built once from the kubeconfig's CA, client certificate, key and TLS server
 * name, and every call on the access goes over its connections; client-node still sets each
 * call's headers (bearer token, basic auth, impersonation).
 *
 * TLS checks are never turned off: a kubeconfig that asks for that (or for plain http, a proxy,
 * files on this machine or an auth-provider plugin, none of which AKS writes) is refused with a
 * clear error.
 */
import { Agent } from 'node:https';
import type * as KubeClient from '@kubernetes/client-node';
import { UserFacingError } from '../../domain/errors';

/** Connections one access may hold open to its API server at once; more calls wait for one. */
export const KUBE_MAX_SOCKETS = 16;

/**
 * An idle connection is closed after this long: well before the idle timeouts of the load
 * balancers in front of AKS API servers (four minutes), so acrbot is not the one sending on a
 * connection the other end has just dropped, and no connection outlives the work for long.
 */
export const KUBE_IDLE_SOCKET_MS = 30_000;

/** Destroys an access's agent (its idle connections) once the access itself is collected. */
const released = new FinalizationRegistry<Agent>((agent) => agent.destroy());

/**
 * The keep-alive agent for the current cluster and user of `kc`. Throws a
 * `cluster.badKubeconfig` error for settings acrbot does not use (see the module comment).
 */
export function kubeAgent(kc: KubeClient.KubeConfig, clusterName: string, idleSocketMs = KUBE_IDLE_SOCKET_MS): Agent {
  const cluster = kc.getCurrentCluster()!;
  const user = kc.getCurrentUser();
  const refused = [
    cluster.skipTLSVerify && 'insecure-skip-tls-verify',
    !cluster.server.toLowerCase().startsWith('https:') && 'a server address that is not https',
    cluster.proxyUrl && 'proxy-url',
    (cluster.caFile || user?.certFile || user?.keyFile) && 'files on acrbot’s machine',
    // client-node would run an auth-provider's cmd-path or exec command on this machine, or
    // send a local tokenFile as the token. Exec users (kubelogin) never reach here: access()
    // swaps them for acrbot's own Entra token.
    user?.authProvider && 'an auth-provider plugin (a program or file on acrbot’s machine)',
    user?.exec && 'an exec plugin (a program on acrbot’s machine)',
  ].filter((s): s is string => Boolean(s));
  if (refused.length)
    throw new UserFacingError(
      'cluster.badKubeconfig',
      `The credentials Azure returned for cluster ${clusterName} ask for ${refused.join(', ')}, which acrbot does not use; ask the platform team to check the cluster.`,
    );
  const bytes = (base64: string | undefined) => (base64 ? Buffer.from(base64, 'base64') : undefined);
  return new Agent({
    keepAlive: true,
    maxSockets: KUBE_MAX_SOCKETS,
    maxFreeSockets: KUBE_MAX_SOCKETS,
    timeout: idleSocketMs,
    // As client-node would set them; rejectUnauthorized is left at Node's default (true).
    ca: bytes(cluster.caData),
    cert: bytes(user?.certData),
    key: bytes(user?.keyData),
    servername: cluster.tlsServerName || undefined,
  });
}

/**
 * client-node's authentication for `kc` (the headers of each call), with every call sent
 * through `agent` instead of a new one. `agent` is destroyed when `owner` (the access that
 * holds the API client) is garbage-collected; its idle sockets close on their own before that.
 * `bearer`: the token of each call, asked for anew each time (acrbot's Entra token on an
 * Entra-enabled cluster), in place of the kubeconfig's.
 */
export function sharedAgentAuthentication(
  kc: KubeClient.KubeConfig,
  agent: Agent,
  owner: object,
  bearer?: () => Promise<string>,
): KubeClient.SecurityAuthentication {
  released.register(owner, agent);
  return {
    getName: () => kc.getName(),
    async applySecurityAuthentication(context: KubeClient.RequestContext): Promise<void> {
      // Sets the headers, and an agent of its own (never used: no socket is opened on it).
      await kc.applySecurityAuthentication(context);
      if (bearer) context.setHeaderParam('Authorization', `Bearer ${await bearer()}`);
      context.setAgent(agent);
    },
  };
}
