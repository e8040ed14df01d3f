/**
 * The plan of a secret extension's rotation: a new credential, capped like a new secret's, into
 * the same secret, and the credential the secret holds now deleted (the card's lines say which).
 * Checked against the cluster as a new secret's plan is (secret-target-check.ts): the card says
 * before approval when the namespace is gone or the secret is no longer acrbot's to rotate.
 */
import type { SecretPlan } from '../domain/plan';
import { shortTime } from '../domain/pull-diagnosis';
import type { AccessRequest } from '../domain/request';
import { SECRET_DEFAULTS } from '../domain/secret-options';
import { lastFamilyWriter } from '../domain/secret-holder';
import { newCredentialLines } from '../domain/secret-credential-lines';
import type { LifecycleDeps } from './access-lifecycle-deps';
import { settleWithin } from './settle-within';
import { decideOverExisting } from './secret-existing-check';
import { foreignSecretRotationNote } from './secret-extension-way-on';
import { checkSecretTarget, TARGET_CHECK_MS } from './secret-target-check';
import { tokenRoom, withRoomNote } from './registry-token-room';

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
 * the one the secret holds now, which after an earlier rotation is that extension's. The
 * original's plan-time check is not kept (it saw the cluster before that run): the cluster is
 * read again, once, as for a new secret ({@link rotationCheck}), and what it says is the card's.
 */
export async function rotationPlan(
  deps: LifecycleDeps,
  original: AccessRequest,
  lifetimeMs: number | undefined,
): Promise<SecretPlan> {
  // Not the original's plan-time target check (it saw the cluster before that run; this plan
  // checks it again below), nor its note of access its requester held then (an extension
  // replaces nobody else's).
  const { targetCheck: _seenBefore, replacesHeld: _heldThen, ...plan } = original.plan as SecretPlan;
  const maxMs = deps.settings.secretMaxExpiryMs ?? MAX_CREDENTIAL_LIFETIME_MS;
  const lifetime = Math.min(lifetimeMs ?? SECRET_DEFAULTS.expiresInMs, maxMs);
  const expiresAt = new Date(deps.clock.now().getTime() + lifetime).toISOString();
  // The rotation makes a new token (and scope map, with repositories) before it deletes the old
  // ones: the registry needs room for one more, as for a new request. Counted alongside the
  // reads below; a full registry refuses the extension before it is stored (registry-token-room.ts).
  const rooming =
    plan.credentialKind === 'token'
      ? tokenRoom(
          deps.ports.tokens,
          plan.registry,
          { extension: true, repositories: plan.repositories.length > 0 },
          deps.clock,
          TARGET_CHECK_MS,
          deps.log,
        )
      : Promise.resolve(undefined);
  const holder = await secretHolderOf(deps, original);
  const check = await rotationCheck(deps, original, plan as SecretPlan, holder);
  return withRoomNote<SecretPlan>(
    {
      ...plan,
      expiresAt,
      operations: [
        ...newCredentialLines(plan, expiresAt, true),
        `Write it into the same secret ${plan.namespace}/${plan.secretName} (rotation)`,
        // A secret that is not acrbot's holds none of its credentials: the card does not say it does.
        !holder
          ? 'Delete the credential the secret holds now'
          : check?.foreign
            ? `Delete the credential of ${holder.id}, which acrbot wrote into the secret last`
            : `Delete the credential of ${holder.id}, which the secret holds now`,
      ],
      ...(check && { targetCheck: check.note }),
    },
    await rooming,
  );
}

/**
 * What the cluster says of the secret the extension rotates, as the run will find it, checked as
 * a new secret's plan checks its target: one read-only precheck (namespace, service account, the
 * secret's metadata and hash) as of now, waited for at most {@link TARGET_CHECK_MS}. The card's
 * note when the namespace (or service account) is missing or going away, or when the secret is
 * one the run would refuse to overwrite, by acrbot's records (decideOverExisting for the
 * extension as it will be stored; `holder`: the request the run takes for the secret's writer,
 * readLastFamilyWriter's answer). A secret that is gone is no note: the run writes it anew.
 * A hint (G15): the run checks again. Undefined when nothing is wrong or nothing could be told.
 */
async function rotationCheck(
  deps: LifecycleDeps,
  original: AccessRequest,
  plan: SecretPlan,
  holder: AccessRequest | undefined,
): Promise<{ note: string; foreign: boolean } | undefined> {
  const at = shortTime(deps.clock.now().toISOString());
  const checking = checkSecretTarget(deps.ports.kubernetes, plan.cluster, plan, at, deps.log).then(async (seen) => {
    if (seen.missing) return { note: seen.missing, foreign: false };
    if (!seen.existing) return undefined;
    // Read by the run's decision only as an extension of `original`, with nothing written yet.
    const extension = { id: '', plan, created: [], extendsRequestId: original.id } as Pick<
      AccessRequest,
      'id' | 'plan' | 'created' | 'extendsRequestId'
    >;
    const decision = await decideOverExisting(extension as AccessRequest, seen.existing, {
      request: (id) => deps.ports.requests.get(id),
      writer: async () => holder,
    }).catch((err: unknown) => {
      deps.log.warn(
        { err },
        "reading acrbot's records of a pull secret found at plan time failed; planned without judging it",
      );
      return undefined;
    });
    return decision && !decision.replace ? { note: foreignSecretRotationNote(plan, at), foreign: true } : undefined;
  });
  const got = await settleWithin(checking, TARGET_CHECK_MS);
  return got.late ? undefined : got.value;
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
