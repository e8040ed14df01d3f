/**
 * The set-up the ARM adapter tests share: a local {@link HttpsService} standing in for ARM with
 * sandbox TLS, the real adapters connected to it, and the registry they are asked about.
 */
import type { ArmConnection } from '../../src/integrations/azure/arm-connection';
import { ArmRegistryTokens } from '../../src/integrations/azure/arm-registry-tokens';
import { ArmRoleAssignments } from '../../src/integrations/azure/arm-role-assignments';
import { ArmResourceReader } from '../../src/integrations/azure/azure-resource-reader';
import { createSandboxTls } from '../../src/sandbox/tls';
import { connectionTo, HttpsService } from './https-service';

/** The subscription of the stand-in's registry. */
export const SUB = '00000000-0000-0000-0000-000000000001';
/** The stand-in's registry, as the token adapter takes it. */
export const REGISTRY = { subscriptionId: SUB, resourceGroup: 'rg', name: 'acr1' };
/** The ARM resource id of {@link REGISTRY}. */
export const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1`;

/** The stand-in and the adapters on it; all but `arm` are there once the suite's beforeAll ran. */
export interface ArmStandIn {
  /** The server standing in for ARM: set its handler, read its requests. */
  readonly arm: HttpsService;
  readonly connection: ArmConnection;
  readonly reader: ArmResourceReader;
  /** Built on `reader`, which reads a registry behind a refusal. */
  readonly roles: ArmRoleAssignments;
  /** Built on `reader`. */
  readonly tokens: ArmRegistryTokens;
}

/**
 * Registers the suite's hooks: starts the stand-in and connects the adapters to it with `bearer`
 * as the token (beforeAll), empties its request record before each test, and destroys the
 * connection's agent and stops the server after all. A handler set in a later beforeAll, or in a
 * test, replaces the stand-in's default 500.
 */
export function useArmStandIn(bearer: string): ArmStandIn {
  const tls = createSandboxTls();
  const arm = new HttpsService();
  let built: Omit<ArmStandIn, 'arm'> | undefined;
  const get = (): Omit<ArmStandIn, 'arm'> => {
    if (!built) throw new Error('the ARM stand-in is used before its beforeAll ran');
    return built;
  };

  beforeAll(async () => {
    await arm.start(tls);
    const connection = connectionTo(arm, tls.caPem, bearer);
    const reader = new ArmResourceReader(connection);
    built = {
      connection,
      reader,
      roles: new ArmRoleAssignments(connection, reader),
      tokens: new ArmRegistryTokens(reader),
    };
  });
  afterAll(async () => {
    built?.connection.agent?.destroy();
    await arm.stop();
  });
  beforeEach(() => {
    arm.requests.length = 0;
  });

  return {
    arm,
    get connection() {
      return get().connection;
    },
    get reader() {
      return get().reader;
    },
    get roles() {
      return get().roles;
    },
    get tokens() {
      return get().tokens;
    },
  };
}
