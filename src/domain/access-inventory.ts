/**
 * The access inventory's data: which clusters can pull from which registries, by which ways
 * (role assignments made by acrbot or outside it, acrbot's pull secrets), and in which state.
 * Chat (`access`, `check`) and the tab render these same types; the join (inventory-cells.ts) is
 * pure so both see exactly the same answer. The I/O lives in `src/flows/access-inventory.ts`.
 *
 * This module names the inventory for the rest of acrbot: each concept lives in a file of its own
 * (the rows, inventory-rows.ts and inventory-reports.ts; a request's end and reference; judging
 * one role assignment, role-assignment-path.ts; ended grants and pull secrets; a cell; drift
 * findings; the join, inventory-cells.ts), re-exported here so callers import from one place.
 */
export { ACRBOT_NAMED_TEXT, acrbotNamedText, namedAsAcrbotNames } from './acrbot-named';
export { anonymousPullRegistries, cellOf } from './access-cell';
export { accessEnd, credentialEnd, credentialLapsed } from './access-end';
export {
  EXPIRING_WITHIN_MS,
  ORPHAN_WATCH_DAYS,
  ORPHAN_WATCH_MS,
  requestAccessState,
  requestRef,
} from './acrbot-request-ref';
export { createdAssignmentId, gaveAccess } from './created-assignment';
export { findDrift, identityDrift, modeDrift, type DriftContext, type DriftFinding } from './drift-finding';
export { buildCells, type InventoryFacts } from './inventory-cells';
export type {
  AccessMatrix,
  ClusterAccessReport,
  RegistryAccessReport,
  UserAccessEntry,
  UserAccessReport,
} from './inventory-reports';
export type {
  AccessCell,
  AccessState,
  AcrbotRequestRef,
  EndedGrantPath,
  InventoryCluster,
  InventoryIdentity,
  InventoryRegistry,
  PullPath,
  PullSecretPath,
  RequestAccessState,
  RoleAssignmentOrigin,
  RoleAssignmentPath,
  TermState,
} from './inventory-rows';
export { isLiveRef, overdueEnd, overdueRemoval, pathEnd, pullsNow, requestsBehind, termRuns } from './pull-path-term';
export { scopeLevelOf, type ScopeLevel } from './scope-level';
