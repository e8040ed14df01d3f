/**
 * Kubernetes API server emulator for the acrbot sandbox and tests. See emulator.ts.
 * Never imports bot code: it stands in for the outside world.
 */
export { KubernetesEmulator, type KubeconfigUser, type KubernetesEmulatorOptions } from './emulator';
export type { DenyRule, Rbac } from './rbac';
export type { FaultRule, Faults, HeldCalls } from './faults';
export type { Admission, AdmissionOperation, ObjectCountQuota, WebhookDenial } from './admission';
export type { StatusBody } from './status';
export type { KubeObject, RequestLogEntry, ResourceName, TlsMaterial, Verb } from './types';
export { EMULATED_VERSION } from './discovery';
