/**
 * The plan of a secret extension's rotation: a new credential, capped like a new secret's, into
 * the same secret, and the credential the secret holds now deleted (the card's lines say which).
 */
import type { SecretPlan } from '../domain/plan';
import type { AccessRequest } from '../domain/request';
import { SECRET_DEFAULTS } from '../domain/secret-options';
import { lastFamilyWriter } from '../domain/secret-holder';
import { newCredentialLines } from '../domain/secret-credential-lines';
import type { LifecycleDeps } from './access-lifecycle-deps';

/** The longest credential lifetime acrbot ever gives (ACRBOT_SECRET_MAX_EXPIRY's upper bound). */
const MAX_CREDENTIAL_LIFETIME_MS = 365 * 86_400_000;

/**
 * A secret's extension rotates: a new credential into the same secret, then the old one deleted.
 * `lifetimeMs`: how long the new credential must live (RequestService.credentialLifetimeUnderPolicy
 * of the extension's term), capped by ACRBOT_SECRET_MAX_EXPIRY. Without one (a service without
 * time-boxing; a deployment always has it) the credential lives as long as a secret asked for
 * without `--expires` would: zero would make a credential that expires as it is written.
 * The card's lines say what the run does: the credential is made as a new secret's is (its own
 * scope map for `--repositories`, its own application for `sp`), and the credential deleted is
 * the one the secret holds now, which after an earlier rotation is that extension's.
 */
export async function rotationPlan(
  deps: LifecycleDeps,
  original: AccessRequest,
  lifetimeMs: number | undefined,
): Promise<SecretPlan> {
  // Not the original's plan-time target check (that run happened, so the target was there since),
  // nor its note of access its requester held then (an extension replaces nobody else's).
  const { targetCheck: _ranSince, replacesHeld: _heldThen, ...plan } = original.plan as SecretPlan;
  const maxMs = deps.settings.secretMaxExpiryMs ?? MAX_CREDENTIAL_LIFETIME_MS;
  const lifetime = Math.min(lifetimeMs ?? SECRET_DEFAULTS.expiresInMs, maxMs);
  const expiresAt = new Date(deps.clock.now().getTime() + lifetime).toISOString();
  const holder = await secretHolderOf(deps, original);
  return {
    ...plan,
    expiresAt,
    operations: [
      ...newCredentialLines(plan, expiresAt, true),
      `Write it into the same secret ${plan.namespace}/${plan.secretName} (rotation)`,
      holder
        ? `Delete the credential of ${holder.id}, which the secret holds now`
        : 'Delete the credential the secret holds now',
    ],
  };
}

/**
 * The request of `original`'s access whose credential its secret holds now, as the secret runner
 * finds the one an extension replaces when the secret carries no label (lastFamilyWriter, one
 * function for both: the card says what the run deletes).
 */
async function secretHolderOf(deps: LifecycleDeps, original: AccessRequest): Promise<AccessRequest | undefined> {
  const extensions = [];
  for (const id of original.access?.extendedBy ?? []) {
    const other = await deps.store.get(id);
    if (other) extensions.push(other);
  }
  return lastFamilyWriter(original, extensions, original.plan as SecretPlan);
}
