/**
 * What `access` answers (for a cluster, a registry, or the asker's own requests) and the tab's
 * matrix: the inventory's cells with what they are about, and what could not be read.
 */
import type {
  AccessCell,
  AcrbotRequestRef,
  InventoryCluster,
  InventoryIdentity,
  InventoryRegistry,
} from './inventory-rows';

/** `access CLUSTER`. */
export interface ClusterAccessReport {
  cluster: InventoryCluster;
  identity?: InventoryIdentity;
  /** Why the identity could not be determined (then only pull secrets are listed). */
  identityProblem?: string;
  cells: AccessCell[];
  /**
   * Registries that allow anonymous pull and can be reached ({@link anonymousPullRegistries}):
   * the cluster can pull from them without any way of pulling of its own.
   */
  anonymousRegistries?: InventoryRegistry[];
  /** Set when acrbot's records were read only in part: what is missing (`readAccessRequests`, flows/access-inventory.ts). */
  incomplete?: string;
  generatedAt: string;
}

/** `access REGISTRY`. */
export interface RegistryAccessReport {
  registry: InventoryRegistry;
  cells: AccessCell[];
  /** Clusters whose identity could not be determined (they may still pull; not counted). */
  unresolvedClusters: { cluster: InventoryCluster; problem: string }[];
  /** Set when acrbot's records were read only in part: what is missing. */
  incomplete?: string;
  generatedAt: string;
}

/** One of a user's own requests that gave access. */
export interface UserAccessEntry {
  kind: 'grant' | 'secret';
  cluster: InventoryCluster;
  registry: InventoryRegistry;
  /** Secret flow: where the secret lives. */
  namespace?: string;
  secretName?: string;
  roleName?: string;
  request: AcrbotRequestRef;
}

/** `access` alone. */
export interface UserAccessReport {
  user: { objectId: string; name: string };
  entries: UserAccessEntry[];
  /** Set when acrbot's records were read only in part: what is missing. */
  incomplete?: string;
  generatedAt: string;
}

/** The tab's matrix: every cluster × registry pair in the allowed subscriptions that has a way of pulling. */
export interface AccessMatrix {
  clusters: InventoryCluster[];
  registries: InventoryRegistry[];
  /** Only pairs with at least one path (the rest cannot pull). */
  cells: AccessCell[];
  unresolvedClusters: { cluster: InventoryCluster; problem: string }[];
  /** Set when acrbot's records were read only in part: what is missing. */
  incomplete?: string;
  generatedAt: string;
}
