/**
 * Whether a registry's network lets clusters reach it, and whether it allows anonymous pull, in
 * the words `check` uses. `check` and the inventory (`access`, the tab) both ask here, so they
 * never disagree on the same facts. Pure.
 */
import type { RegistryNetwork } from './azure-model';

/** What the registry's network settings mean for pulling from it. */
export interface RegistryReach {
  /** Nothing can reach the registry: no way of pulling works, whatever roles or secrets exist. */
  unreachable: boolean;
  /** The firewall denies by default and allows no IP range (public access closed). */
  denyAll: boolean;
  /**
   * Set when the firewall filters by IP and no private endpoint offers another way in: the
   * cluster pulls only if its outbound IP is allowed, which acrbot cannot see.
   */
  ipFiltered: boolean;
  /**
   * Set when public access is closed and private endpoints are the only way in: the cluster
   * pulls only if its network reaches the registry through one of them, which acrbot cannot see.
   */
  endpointOnly: boolean;
  /**
   * `check`'s warning when the network lets the cluster in only on a condition acrbot cannot
   * see (an allowed outbound IP or subnet, or a private endpoint its network resolves to):
   * whatever gives pull, the cluster pulls only if that holds. Undefined when the network is
   * open, closed to everything, or not known.
   */
  condition?: string;
  /** Anonymous pull is on and the registry can be reached: every cluster that reaches it can pull. */
  anonymous: boolean;
  /** `check`'s network finding; undefined when the network is not known. */
  finding?: { level: 'ok' | 'warn' | 'fail'; text: string };
  /** `check`'s anonymous-pull finding, when it is on (saying so when nothing can reach the registry). */
  anonymousText?: string;
  /** {@link adminUserSentence} when ARM reports the admin user enabled; undefined when off or not reported. */
  adminUserText?: string;
}

/**
 * The sentence `check` adds after every verdict, and the access views on the registry, when its
 * admin user is on: a password acrbot neither grants nor sees pulls regardless of the roles read,
 * which matters most when a credential has leaked. One definition, so they never disagree.
 */
function adminUserSentence(registry: { name: string; subscriptionId?: string }, unreachable: boolean): string {
  // In its subscription, as acrbot's other by-hand commands (audit-end-words.ts): the operator's
  // CLI may be set to another one, where `-n` alone names no registry, or the wrong one.
  const inSubscription = registry.subscriptionId ? ` --subscription ${registry.subscriptionId}` : '';
  return `The registry's admin user is enabled: anything holding its password pulls${unreachable ? ' (once something can reach the registry; nothing can now)' : ''}, whatever acrbot grants (az acr update${inSubscription} -n ${registry.name} --admin-enabled false).`;
}

/**
 * A registry's data endpoints, LABEL.REGION.data.azurecr.io (LABEL: the login server's first
 * label, the registry's name unless a domain name label scope adds a hash), one per region it is
 * replicated to: "contosoacr.westeurope.data.azurecr.io and one per other replica region", the
 * home region named when ARM gave the registry's location, REGION otherwise. Where layers come
 * from through a private endpoint, and, with dedicated data endpoints on, through the public path.
 */
export function dataEndpointHosts(registry: { name: string; loginServer: string; location?: string }): string {
  // Named after the login server's first label, not the registry's name: a registry with a domain
  // name label scope is served at NAME-HASH.azurecr.io, and so are its data endpoints.
  const label = registry.loginServer.split('.')[0] || registry.name;
  const host = (region: string) => `${label.toLowerCase()}.${region}.data.azurecr.io`;
  return registry.location
    ? `${host(registry.location.toLowerCase())} and one per other replica region`
    : `${host('REGION')}, one per replica region`;
}

/**
 * "through one of its 2 private endpoints: the cluster's network must resolve LOGIN SERVER and its
 * data endpoints (…) to one of them": a private endpoint serves the login server, and the layers
 * come from the registry's data endpoints ({@link dataEndpointHosts}). A network that resolves
 * only the login server gets manifests and fails on the first layer.
 */
function throughEndpoints(registry: { name: string; loginServer: string; location?: string }, count: number): string {
  return `through ${count === 1 ? 'its private endpoint' : `one of its ${count} private endpoints`}: the cluster's network must resolve ${registry.loginServer} and its data endpoints (${dataEndpointHosts(registry)}) to ${count === 1 ? 'it' : 'one of them'}`;
}

/**
 * Reads `network` (undefined: not known, so nothing is said about it) for `registry` (`location`:
 * its Azure region, when known, named in the private endpoints' sentence; `subscriptionId`, in
 * the admin user's command).
 */
export function registryReach(
  registry: { name: string; loginServer: string; location?: string; subscriptionId?: string },
  network: RegistryNetwork | undefined,
): RegistryReach {
  if (!network) return { unreachable: false, denyAll: false, ipFiltered: false, endpointOnly: false, anonymous: false };
  const publicDisabled = network.publicNetworkAccess?.toLowerCase() === 'disabled';
  const deny = network.defaultAction?.toLowerCase() === 'deny';
  // The firewall's default action applies to every public address no IP rule allows: with Deny
  // and no rule, public access is closed as surely as when it is disabled (private endpoints
  // are not subject to those rules).
  // Subnets a virtual network rule lets in are a way past the Deny too, like an IP rule.
  const vnets = network.vnetRuleCount ?? 0;
  const denyAll = !publicDisabled && deny && network.ipRuleCount === 0 && vnets === 0;
  const endpoints = network.privateEndpoints;
  const viaEndpoint = throughEndpoints(registry, endpoints);
  let unreachable = false;
  let ipFiltered = false;
  let finding: RegistryReach['finding'];
  if (denyAll || publicDisabled) {
    unreachable = endpoints === 0;
    const closed = denyAll
      ? `The registry firewall of ${registry.name} denies by default and allows no IP range, and it has no approved private endpoint, so nothing can reach it.`
      : `Public network access to ${registry.name} is disabled and it has no approved private endpoint, so nothing can reach it.`;
    const viaOnly = denyAll
      ? `The registry firewall denies by default and allows no IP range; the nodes must reach ${registry.name} ${viaEndpoint}.`
      : `Public network access is disabled; the nodes must reach ${registry.name} ${viaEndpoint}.`;
    finding = { level: unreachable ? 'fail' : 'warn', text: unreachable ? closed : viaOnly };
  } else if (deny) {
    // With private endpoints the nodes may come in through one of them instead of an allowed IP.
    ipFiltered = endpoints === 0;
    const ranges =
      `${network.ipRuleCount} IP range${network.ipRuleCount === 1 ? '' : 's'}` +
      (vnets ? ` and ${vnets} virtual network subnet${vnets === 1 ? '' : 's'}` : '');
    const mustBe = vnets
      ? "the cluster's outbound IP, or its nodes' subnet, must be one of them (acrbot cannot see them)"
      : "the cluster's outbound IP must be one of them (acrbot cannot see it)";
    finding = {
      level: 'warn',
      text: ipFiltered
        ? `The registry firewall denies by default and allows ${ranges}; ${mustBe}.`
        : `The registry firewall denies by default and allows ${ranges}; ${mustBe}, or the nodes must reach ${registry.name} ${viaEndpoint}.`,
    };
  } else {
    finding = { level: 'ok', text: `${registry.loginServer} accepts connections from public networks.` };
  }
  const anonymous = network.anonymousPullEnabled && !unreachable;
  return {
    unreachable,
    denyAll,
    ipFiltered,
    endpointOnly: (denyAll || publicDisabled) && !unreachable,
    anonymous,
    finding,
    ...(finding.level === 'warn' && { condition: finding.text }),
    // Unreachable, "anyone who can reach it" is no one: said, or it reads as a way in.
    ...(network.anonymousPullEnabled && {
      anonymousText: `Anonymous pull is enabled: anyone who can reach ${registry.loginServer} can pull without a role${unreachable ? ' (nothing can reach it now)' : ''}.`,
    }),
    ...(network.adminUserEnabled === true && { adminUserText: adminUserSentence(registry, unreachable) }),
  };
}
