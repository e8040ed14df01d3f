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

/** Zero-width non-joiner and joiner (U+200C, U+200D): part of the text in emoji sequences and Persian/Indic words. */
const JOINERS = /[\u200C\u200D]+/g;

/**
 * Collapses whitespace (CR/LF included) so user text cannot forge lines in logs or cards, and
 * drops invisible control and format characters (zero-width spaces, bidi overrides and isolates,
 * tag characters): they would let a blank reason pass the length check, or make text read
 * differently than it is stored. ZWNJ and ZWJ are kept where they join two visible characters
 * (one per gap): without them an emoji sequence (👩 U+200D 💻, "woman technologist") falls apart
 * and a Persian or Indic word (می U+200C خواهم) is spelt wrong. Elsewhere (at an edge, next to a
 * space) they join nothing and go, and a run of them is kept as its first: a reason of joiners
 * alone stays blank, and a run cannot pad a short one to the minimum length.
 */
export function singleLine(text: string): string {
  return text
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(/(?![\u200C\u200D])[\p{Cc}\p{Cf}]/gu, '')
    .replace(JOINERS, (run: string, at: number, all: string) =>
      /\S/.test(all[at - 1] ?? '') && /\S/.test(all[at + run.length] ?? '') ? run[0]! : '',
    )
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/**
 * True when the text looks like it carries a credential. Joiners are not looked through by the
 * patterns, so they are left out first: "Account\u200DKey=" is as much a key as "AccountKey=".
 */
export function looksLikeSecret(text: string): boolean {
  const plain = text.replace(JOINERS, '');
  return SECRET_PATTERNS.some((p) => p.test(plain));
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
