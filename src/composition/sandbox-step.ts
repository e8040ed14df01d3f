/**
 * Step "sandbox" (sandbox mode only): loads the emulators on demand, starts them unless an
 * external or shared one is given, fills the sandbox defaults into the config, and returns the
 * access to the emulated ARM and Graph. This is the only place in the bot that loads
 * `src/sandbox`, and it does so lazily (`require` inside the function): azure mode never loads
 * the emulators, node-forge or the fixtures (test/integration/azure-mode-modules.test.ts proves it).
 */
import { join } from 'node:path';
import { applySandboxDefaults, type AppConfig } from '../config/config';
import { keepAliveAgent } from '../integrations/azure/arm-connection';
import { sharedClientReachesLoopbackDirectly } from '../integrations/http/pooled-http-client';
import { telemetryExporting } from '../observability/telemetry';
import type * as SandboxDefaultsModule from '../sandbox/defaults';
import type * as FixturesModule from '../sandbox/fixtures';
import type * as OidcIssuerModule from '../sandbox/identity/oidc-issuer';
import type * as SandboxModule from '../sandbox/sandbox';
import type * as TlsModule from '../sandbox/tls';
import type { Sandbox } from '../sandbox/sandbox';
import type { MountTabInput } from '../tab/mount-tab';
import type { AzureAccess } from './azure-access';

/** Where the sandbox keeps its TLS material between starts (git-ignored; relative to the working directory). */
const SANDBOX_TLS_CACHE_DIR = join(process.cwd(), '.data');

/**
 * Starts preparing the emulators' TLS material (cache or thread pool) before the rest of the
 * app is loaded, so key generation overlaps module loading. Called by src/index.ts in sandbox
 * mode; startSandbox later picks up the same (memoised) promise.
 */
export function prepareSandboxEarly(): void {
  const tls = require('../sandbox/tls') as typeof TlsModule;
  // A failure here is not lost: startSandbox calls prepareSandboxTls again and gets the error.
  void tls.prepareSandboxTls(tls.sandboxTlsHosts(), { cacheDir: SANDBOX_TLS_CACHE_DIR }).catch(() => undefined);
}

/** What the sandbox step hands to the rest of the composition. */
export interface SandboxStep {
  /** The config with the sandbox's subscriptions, approver, tenant and channel filled in. */
  config: AppConfig;
  access: AzureAccess;
  /** The emulators in use (own or shared); undefined when external ones are configured. */
  sandbox?: Sandbox;
  /** The emulated Entra issuer the tab's sandbox sign-in uses (none with external emulators). */
  tabSignIn?: MountTabInput['sandbox'];
  /** Stops the emulators this step started (not shared or external ones). */
  stop(): Promise<void>;
}

/**
 * Sandbox mode: `shared` is an already running sandbox (restart tests share one); with
 * `ACRBOT_ARM_ENDPOINT` and `ACRBOT_GRAPH_ENDPOINT` set the emulators run elsewhere and are
 * trusted via NODE_EXTRA_CA_CERTS. The two are set together or not at all (loadConfig refuses
 * one alone): the ARM and Graph emulators are one sandbox, started together.
 */
export async function startSandboxStep(config: AppConfig, shared?: Sandbox): Promise<SandboxStep> {
  const { SANDBOX_DEFAULTS } = require('../sandbox/defaults') as typeof SandboxDefaultsModule;
  // The emulators (and the Playground's connector) listen on this machine: a proxy from the
  // environment, which cannot reach them, is not asked to (outbound-proxy.ts).
  sharedClientReachesLoopbackDirectly();
  const withDefaults = applySandboxDefaults(config, SANDBOX_DEFAULTS);
  const external = externalEndpoints(config);
  const own =
    !external && !shared
      ? await (require('../sandbox/sandbox') as typeof SandboxModule).startSandbox({
          tlsCacheDir: SANDBOX_TLS_CACHE_DIR,
        })
      : undefined;
  const sandbox = shared ?? own;
  // Exactly one of the two is there: external endpoints, or a sandbox (shared or just started).
  const endpoints = external ?? { arm: sandbox!.armUrl, graph: sandbox!.graphUrl };
  // One token per audience, as from Entra: each emulator accepts only its own.
  const credential = SANDBOX_DEFAULTS.credential;
  // Own emulators: trust their CA for these clients only. External ones: NODE_EXTRA_CA_CERTS.
  const caPem = external ? undefined : sandbox?.tls.caPem;
  const agent = keepAliveAgent(caPem);
  return {
    config: withDefaults,
    access: {
      credential,
      arm: { endpoint: endpoints.arm, credential, caPem, agent, tracing: telemetryExporting() },
      graphEndpoint: endpoints.graph,
      caPem,
      agent,
      // The emulators' caller (their tokens are opaque: no `oid` to read).
      ownObjectId: (require('../sandbox/fixtures') as typeof FixturesModule).SANDBOX_BOT_OBJECT_ID,
      // External emulators bring no registry data plane: the pull check is skipped.
      registryDataPlane: external ? false : sandbox!.registryUrl,
    },
    sandbox,
    tabSignIn: sandbox && {
      issuer: sandbox.identity.issuer,
      jwksUri: sandbox.identity.jwksUri,
      tokenEndpoint: sandbox.identity.tokenEndpoint,
      caPem: sandbox.tls.caPem,
      clientId: (require('../sandbox/identity/oidc-issuer') as typeof OidcIssuerModule).SANDBOX_TAB_CLIENT_ID,
      users: SANDBOX_DEFAULTS.users,
    },
    stop: async () => {
      if (own) await own.stop();
    },
  };
}

/**
 * The external emulators' endpoints, or undefined when the sandbox's own (or a shared one) are
 * used. One endpoint alone is refused by loadConfig; a config built another way that has one is
 * refused here too, by name, rather than failing on the missing sandbox later.
 */
function externalEndpoints(config: AppConfig): { arm: string; graph: string } | undefined {
  const { armEndpoint: arm, graphEndpoint: graph } = config;
  if (arm === undefined && graph === undefined) return undefined;
  if (arm === undefined || graph === undefined)
    throw new Error(
      'sandbox mode needs both ACRBOT_ARM_ENDPOINT and ACRBOT_GRAPH_ENDPOINT (external emulators) or neither',
    );
  return { arm, graph };
}
