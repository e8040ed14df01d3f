/**
 * Settings out of their bounds, each checked once it parsed: durations too short or too long
 * for what they time (the approval TTL, the jobs' intervals, leases, access and credentials), and
 * the audit's anchors and adoption without the key they need.
 */
import { accessDurationProblems } from './access-duration-problems';
import { MAX_APPROVAL_TTL_MS, MIN_APPROVAL_TTL_MS } from './duration';
import type { PolicyLimits } from './policy-file';
import type { ReadSettings } from './read-settings';

/** The problems of the settings' bounds, and the access limits a policy file's terms are held to. */
export interface BoundCheck {
  problems: string[];
  /** ACRBOT_MIN/MAX_ACCESS_DURATION, each when it is valid (access-duration-problems.ts). */
  accessLimits: Pick<PolicyLimits, 'minAccessMs' | 'maxAccessMs'>;
}

/** The problems of each setting's bounds in `read`, in the order loadConfig lists them. */
export function boundProblems({ e, sandbox, parsedOk }: ReadSettings): BoundCheck {
  const problems: string[] = [];
  if (e.ACRBOT_APPROVAL_TTL < MIN_APPROVAL_TTL_MS)
    problems.push(
      'ACRBOT_APPROVAL_TTL can be no less than 5m (requests would expire before an approver could see them; a bare number is seconds)',
    );
  if (e.ACRBOT_APPROVAL_TTL > MAX_APPROVAL_TTL_MS)
    problems.push('ACRBOT_APPROVAL_TTL can be at most 24h (requests must not wait longer for a decision)');
  // The shortest sweep, 1s, is the shortest duration there is (0s is not one): tests sweep that often.
  if (e.ACRBOT_SWEEP_INTERVAL > 3_600_000)
    problems.push('ACRBOT_SWEEP_INTERVAL can be at most 1h (expiries and reminders would run late)');
  if (e.ACRBOT_AUDIT_ANCHOR_INTERVAL < 60_000 || e.ACRBOT_AUDIT_ANCHOR_INTERVAL > 86_400_000)
    problems.push('ACRBOT_AUDIT_ANCHOR_INTERVAL must lie between 1m and 24h');
  if (e.ACRBOT_AUDIT_ANCHOR && !e.ACRBOT_AUDIT_KEY && !sandbox && parsedOk('ACRBOT_AUDIT_KEY'))
    problems.push('ACRBOT_AUDIT_ANCHOR needs ACRBOT_AUDIT_KEY (anchors are signed with it)');
  // The sandbox generates a key only for a persistent store (.data/audit.key): with memory storage
  // there is none, and anchors would silently never be published.
  if (
    e.ACRBOT_AUDIT_ANCHOR &&
    !e.ACRBOT_AUDIT_KEY &&
    sandbox &&
    e.ACRBOT_STORAGE.kind === 'memory' &&
    parsedOk('ACRBOT_AUDIT_KEY', 'ACRBOT_STORAGE')
  )
    problems.push(
      'ACRBOT_AUDIT_ANCHOR needs ACRBOT_AUDIT_KEY with ACRBOT_STORAGE=memory (anchors are signed with it; the sandbox generates one only for sqlite:<file> or tables:…)',
    );
  // The store adopts an unsigned log only to sign it from there on: without a key there is nothing
  // to sign with, and the operator who vouched for the log would believe it now signed. The
  // sandbox makes its own key (.data/audit.key).
  if (e.ACRBOT_AUDIT_ADOPT_UNSIGNED !== undefined && !e.ACRBOT_AUDIT_KEY && !sandbox && parsedOk('ACRBOT_AUDIT_KEY'))
    problems.push(
      'ACRBOT_AUDIT_ADOPT_UNSIGNED needs ACRBOT_AUDIT_KEY: it adopts an audit log written without the key so that entries are signed from there on, and without a key nothing is signed. Set the key, or unset ACRBOT_AUDIT_ADOPT_UNSIGNED',
    );
  if (e.ACRBOT_LEASE_TTL < 2_000 || e.ACRBOT_LEASE_TTL > 600_000)
    problems.push('ACRBOT_LEASE_TTL must lie between 2s and 10m (renewed every third of it while work runs)');
  if (e.ACRBOT_TAB_INVENTORY_TTL < 1_000 || e.ACRBOT_TAB_INVENTORY_TTL > 600_000)
    problems.push(
      'ACRBOT_TAB_INVENTORY_TTL must lie between 1s and 10m (how long the tab reuses the matrix read from Azure)',
    );
  if (e.ACRBOT_DRIFT_INTERVAL < 60_000 || e.ACRBOT_DRIFT_INTERVAL > 24 * 3_600_000)
    problems.push('ACRBOT_DRIFT_INTERVAL must be between 1m and 24h (each run lists role assignments per identity)');
  const access = accessDurationProblems(e, parsedOk);
  problems.push(...access.problems);
  // At least the shortest --expires (1h, secret-options.ts): below it every --expires would be
  // refused, and the credentials capped to it would die before anyone could pull with them.
  if (
    parsedOk('ACRBOT_SECRET_MAX_EXPIRY') &&
    (e.ACRBOT_SECRET_MAX_EXPIRY < 3_600_000 || e.ACRBOT_SECRET_MAX_EXPIRY > 365 * 86_400_000)
  )
    problems.push(
      'ACRBOT_SECRET_MAX_EXPIRY must lie between 1h and 365d (the longest lifetime of a credential in the secret flow; the shortest --expires is 1h)',
    );
  if (e.ACRBOT_DIALOG_TTL < 60_000 || e.ACRBOT_DIALOG_TTL > 24 * 3_600_000)
    problems.push('ACRBOT_DIALOG_TTL must lie between 1m and 24h');
  return { problems, accessLimits: access.limits };
}
