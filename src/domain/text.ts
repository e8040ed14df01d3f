/** Rules for free text from users (justifications, rejection reasons). */
import { UserFacingError } from './errors';

/** Bounds on a justification. */
export const REASON_LIMITS = { min: 8, max: 500 } as const;

/** Patterns that look like secrets; such text is refused so it never reaches a card or the audit log (G12). */
const SECRET_PATTERNS: RegExp[] = [
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, // JWT
  /AccountKey=/i,
  /SharedAccessSignature|sig=[A-Za-z0-9%]{20,}/i,
  /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/,
  /client[_-]?secret\s*[:=]/i,
  /password\s*[:=]\s*\S+/i,
];

/**
 * Collapses whitespace (CR/LF included) so user text cannot forge lines in logs or cards, and
 * drops invisible control and format characters (zero-width spaces, bidi overrides): they would
 * let a blank reason pass the length check, or make text read differently than it is stored.
 */
export function singleLine(text: string): string {
  return text
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** True when the text looks like it carries a credential. */
export function looksLikeSecret(text: string): boolean {
  return SECRET_PATTERNS.some((p) => p.test(text));
}

/**
 * Validates a justification: required, bounded, single line, no secrets (G7, G12).
 * Returns the normalised text.
 */
export function checkReason(
  raw: string | undefined,
  what = 'reason',
  ask = 'say why the access is needed, e.g. "deploy payments-api to prod"',
): string {
  const text = singleLine(raw ?? '');
  if (text.length < REASON_LIMITS.min) {
    throw new UserFacingError(
      'validation.reason',
      `A ${what} of at least ${REASON_LIMITS.min} characters is required: ${ask}.`,
    );
  }
  if (text.length > REASON_LIMITS.max) {
    throw new UserFacingError(
      'validation.reason',
      `The ${what} is ${text.length} characters long; keep it under ${REASON_LIMITS.max}.`,
    );
  }
  if (looksLikeSecret(text)) {
    throw new UserFacingError(
      'validation.secret',
      `The ${what} looks like it contains a credential (a token, key or password). Remove it and try again; never paste secrets in chat.`,
    );
  }
  return text;
}

/**
 * `text` as a sentence ending in one full stop, for text that may or may not end with one (an
 * error's message put inside a longer sentence): never "..", never none.
 */
export function asSentence(text: string): string {
  return `${text.trimEnd().replace(/[.\s]+$/, '')}.`;
}
