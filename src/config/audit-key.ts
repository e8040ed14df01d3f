/**
 * The audit key's text form (base64 of at least 32 random bytes), read from ACRBOT_AUDIT_KEY by
 * the configuration (settings-storage.ts) and from the sandbox's `.data/audit.key` by the bot and the audit CLI. One check for
 * both: `Buffer.from(text, 'base64')` skips characters it cannot read and accepts an empty text,
 * so a damaged key file would otherwise become a short or empty key without a word — entries
 * signed with a key anyone can guess, or a log that no longer verifies.
 */
import { readFileSync } from 'node:fs';

/** Fewest bytes an audit key has: HMAC-SHA-256's own block of strength. */
export const AUDIT_KEY_MIN_BYTES = 32;

/** The key `text` encodes, or undefined when it is not base64 of at least {@link AUDIT_KEY_MIN_BYTES} bytes. */
export function auditKeyFromText(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length >= AUDIT_KEY_MIN_BYTES ? bytes : undefined;
}

/**
 * The key in the sandbox's key file at `path`; throws an error that names the file and what to do
 * when it holds no key (its content is never repeated: it may be most of one).
 */
export function readAuditKeyFile(path: string): Buffer {
  const key = auditKeyFromText(readFileSync(path, 'utf8'));
  if (!key)
    throw new Error(
      `${path} holds no audit key (it must be ${AUDIT_KEY_MIN_BYTES} or more random bytes, base64-encoded): restore it from a backup, or delete it together with the sandbox's store to start a new audit log`,
    );
  return key;
}
