/**
 * Small helpers the policy file's checks share (policy-file.ts, policy-term-limits.ts): how a
 * problem is reported, how a rule is named and a value quoted in its message, and how a duration
 * of the raw document is read. Kept apart so the checks can live in files of their own without
 * importing each other.
 */
import { MAX_POLICY_DURATION_MS, parseDurationMs } from './duration';

/** Reports one problem at `path`: inside the rule for a rule's checks, else from the document's root. */
export type AddProblem = (path: (string | number)[], message: string) => void;

/** A value as written, cut to 40 characters for a message. */
export const shortened = (text: string) => (text.trim().length > 40 ? `${text.trim().slice(0, 40)}…` : text.trim());

/**
 * A duration field of the raw document in ms, or undefined when it is not one (zod says why;
 * a bare number too, which the policy's duration schema refuses: no check across fields reads it
 * as seconds; and one past {@link MAX_POLICY_DURATION_MS}, refused there once rather than by
 * every check).
 */
export const rawMs = (v: unknown) => {
  if ((typeof v !== 'string' && typeof v !== 'number') || /^\s*\d+\s*$/.test(String(v))) return undefined;
  const ms = parseDurationMs(String(v));
  return ms !== undefined && ms <= MAX_POLICY_DURATION_MS ? ms : undefined;
};

/** How a rule is named in messages: its id, or its place when it has none. */
export const ruleName = (rule: Record<string, unknown>, i: number) =>
  typeof rule.id === 'string' ? `rule ${rule.id}` : `rules[${i}]`;
