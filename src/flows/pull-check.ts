/**
 * The `--kind sp` rotation's wait for its new credential to pull. Azure applies a new role
 * assignment to a registry's data plane minutes after ARM has it (and Entra a new password a
 * little after Graph answered), so a secret rewritten at once with the new service principal's
 * password makes pulls through it fail meanwhile, while the credential it replaces still works.
 * Before the secret is written, the registry is asked (read-only, {@link RegistryPullProbe})
 * with backoff until it grants pull, for a bounded time; then the secret is written whatever
 * the answer, and the card says which it was. A run that stops during the wait (a crash, a
 * take-over) and is resumed asks again: the check creates nothing.
 */
import type { PullProbeAnswer, RegistryPullProbe } from '../domain/ports';
import type { SecretValue } from '../domain/secret-value';
import type { Sleep } from './assign-role';
import { RunInterrupted, type RunContext } from './executor';

/** How the check asks and waits (injectable: tests give no real waits). */
export interface PullCheck {
  probe: RegistryPullProbe;
  /** The waits between two asks; their number bounds the check. */
  delaysMs: readonly number[];
  sleep: Sleep;
}

/** 5 + 10 + 20 + 4 × 30 s ≈ 2½ minutes (3 with the asks): how long a rotation waits at most. */
export const DEFAULT_PULL_CHECK_DELAYS_MS: readonly number[] = [5_000, 10_000, 20_000, 30_000, 30_000, 30_000, 30_000];

/** What the check found: the credential pulls, not yet by the bound, or the registry could not be asked. */
export type PullCheckResult = 'pulls' | 'notYet' | 'unreachable';

/**
 * Asks until the registry grants pull, says it cannot be asked from here, or the waits run
 * out; audits the result once (`acr.pull.checked`, never the password). A probe that throws
 * (it should not) counts as unreachable: the rotation goes on rather than fail over a check.
 */
export async function checkNewCredentialPulls(
  check: PullCheck,
  registry: { id: string; name: string; loginServer: string },
  credential: { username: string; password: SecretValue },
  ctx: RunContext,
): Promise<PullCheckResult> {
  let answer: PullProbeAnswer = 'unreachable';
  let asks = 0;
  for (;;) {
    answer = await check.probe.canPull(registry, credential).catch((err: unknown) => {
      ctx.log.error({ err }, 'the pull check failed unexpectedly; the secret is written unchecked');
      return 'unreachable' as const;
    });
    asks += 1;
    if (answer === 'pulls' || answer === 'unreachable' || asks > check.delaysMs.length) break;
    ctx.log.info(
      { registry: registry.name, answer, ask: asks },
      'the new service principal cannot pull yet; the secret is written once it can',
    );
    await waitUnlessStopping(check.sleep, check.delaysMs[asks - 1]!, ctx.stopping);
    // A run taken over meanwhile stops here, before it sends the password again.
    await ctx.checkLease?.();
  }
  const result: PullCheckResult = answer === 'pulls' || answer === 'unreachable' ? answer : 'notYet';
  await ctx.audit({
    action: 'acr.pull.checked',
    outcome: result,
    targetIds: [registry.id],
    detail: `${credential.username} asked ${asks} time${asks === 1 ? '' : 's'}; last answer: ${answer}`,
  });
  return result;
}

/**
 * Waits `ms`, or less when this instance stops: then the run stops too, still executing, and is
 * resumed (the check creates nothing, and the secret still holds the credential it replaces)
 * rather than holding the shutdown for the rest of the wait.
 */
async function waitUnlessStopping(sleep: Sleep, ms: number, stopping: AbortSignal | undefined): Promise<void> {
  if (!stopping) return sleep(ms);
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    if (stopping.aborted) resolve();
    else stopping.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    stopping.removeEventListener('abort', onAbort);
  }
  if (stopping.aborted)
    throw new RunInterrupted('stopped while checking that the new credential pulls; resumed later', {
      notice:
        'acrbot stopped while checking that the new credential pulls; the secret still holds the one it replaces, and the rotation goes on when acrbot is back.',
    });
}

/**
 * What a card says of a new service principal's credential written without the registry seen to
 * let it pull (no check, or none that said yes): the role applies minutes after ARM has it.
 */
export const PULLS_MAY_FAIL_UNTIL_ROLE_APPLIES =
  "Until Azure has applied the new service principal's role, pulls with it may fail; Kubernetes retries them.";

/**
 * The card's sentence on the check. `pullsMayFailSaid`: another sentence of the card (the kept
 * credential's, credential-cleanup.ts deferredRetirementSentence) already says that pulls with
 * the new credential may fail until its role applies.
 */
export function pullCheckSentence(result: PullCheckResult, registryName: string, pullsMayFailSaid: boolean): string {
  const mayFail = pullsMayFailSaid ? '' : ` ${PULLS_MAY_FAIL_UNTIL_ROLE_APPLIES}`;
  if (result === 'pulls')
    return `acrbot checked that the new credential pulls from registry ${registryName} before it replaced the old one in the secret.`;
  if (result === 'unreachable')
    return `acrbot could not check that the new credential pulls before writing it: registry ${registryName} does not answer acrbot's host.${mayFail}`;
  return `Azure had not yet applied the new service principal's role on registry ${registryName} when acrbot stopped checking, minutes later; it wrote the new credential all the same.${mayFail}`;
}
