/**
 * The one place `@kubernetes/client-node` is loaded from, on first use: the secret flow's files
 * take its classes and helpers from here, so the rest of the bot never pays for it.
 */
import type * as KubeClient from '@kubernetes/client-node';

/**
 * client-node is loaded on first use: it is ESM-only (loaded through require(esm)) and adds
 * about half a second to start-up, which only the secret flow needs.
 */
let kubeClient: typeof KubeClient | undefined;
/** client-node's module, loaded at the first call. */
export function kube(): typeof KubeClient {
  kubeClient ??= require('@kubernetes/client-node') as typeof KubeClient;
  return kubeClient;
}
