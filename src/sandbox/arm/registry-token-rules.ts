/**
 * Test switches on what a registry makes of token and scope-map writes, as Azure does beyond the
 * request itself: an Azure Policy with a Modify effect that creates every token disabled (the
 * built-in "Configure container registries to disable repository scoped access token",
 * a9b426fe-8856-4945-8600-18c5dd1cca2a, `addOrReplace` of `tokens/status` = `disabled`: the PUT
 * answers success with `status: disabled`), and the per-registry limits of tokens and scope maps
 * (Azure: 100 on Basic, 500 on Standard, 50,000 on Premium, each). The policy is off unless a
 * test sets it; the limits are the SKU's unless a test sets others (a few, so it need not make
 * thousands of tokens to reach them).
 */
import { HttpError } from '../http-util';
import type { RegistryRecord } from './registries';

/** What {@link setRegistryTokenRules} may set on one registry. */
export interface RegistryTokenRules {
  /** Every token PUT (create or update) stores and answers `status: disabled`, whatever it asked. */
  tokensCreatedDisabled?: boolean;
  /** At most this many tokens; a create beyond it answers 409 QuotaExceeded. Default: the SKU's. */
  maxTokens?: number;
  /**
   * At most this many scope maps of the registry's own (the built-in ones do not count). Default:
   * the SKU's.
   */
  maxScopeMaps?: number;
}

/**
 * ACR's limit per SKU, of tokens and of scope maps each
 * (learn.microsoft.com/azure/container-registry/container-registry-skus). Written out here: the
 * emulators never read the bot's code (its own copy is domain/azure-model.ts).
 */
export const SKU_TOKEN_LIMITS: Readonly<Record<RegistryRecord['sku'], number>> = {
  Basic: 100,
  Standard: 500,
  Premium: 50_000,
};

// Kept beside the registry rather than in it: a switch for tests, not part of its wire shape.
const RULES = new WeakMap<RegistryRecord, RegistryTokenRules>();

/** Sets (replaces) the rules of `registry`; `{}` clears them. */
export function setRegistryTokenRules(registry: RegistryRecord, rules: RegistryTokenRules): void {
  RULES.set(registry, { ...rules });
}

/** The `status` a token PUT that asked for `asked` stores on `registry`. */
export function tokenStatusOnWrite(
  registry: RegistryRecord,
  asked: 'enabled' | 'disabled' | undefined,
): 'enabled' | 'disabled' | undefined {
  return RULES.get(registry)?.tokensCreatedDisabled ? 'disabled' : asked;
}

/** Throws ACR's quota refusal when creating one more `child` would pass the registry's limit. */
export function assertBelowQuota(registry: RegistryRecord, child: 'tokens' | 'scopeMaps'): void {
  const rules = RULES.get(registry);
  const limit = (child === 'tokens' ? rules?.maxTokens : rules?.maxScopeMaps) ?? SKU_TOKEN_LIMITS[registry.sku];
  const count =
    child === 'tokens' ? registry.tokens.size : [...registry.scopeMaps.values()].filter((s) => !s.system).length;
  if (count < limit) return;
  throw new HttpError(
    409,
    'QuotaExceeded',
    `Quota exceeded for resource type ${child} in registry '${registry.name}': the ${registry.sku} SKU allows ${limit}.`,
  );
}
