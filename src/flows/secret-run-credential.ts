/**
 * What a secret run's credential step hands the run (a `--kind token` run's in
 * secret-token-credential.ts, a `--kind sp` run's in secret-sp-credential.ts), and the one rule
 * both apply to Azure's answers: only a plain refusal says a create changed nothing.
 */
import type { CredentialRef } from '../domain/secret-credential';
import type { SecretValue } from '../domain/secret-value';

/** What a run's credential step made: the password, only ever revealed into the secret, and what names it. */
export interface Credential {
  username: string;
  password: SecretValue;
  ref: CredentialRef;
  id: string;
  requestIds: string[];
  /** A resumed `--kind sp` run: the passwords its earlier attempts added, by their records. */
  earlierPasswords?: EarlierPasswords;
}

/** What a resumed run's records say about the passwords its earlier attempts added. */
export interface EarlierPasswords {
  applicationId: string;
  /** The password this run added (kept). */
  currentKeyId: string;
  /** Key ids recorded after `addPassword` answered. */
  keyIds: string[];
  /** Markers recorded before each call: a password whose answer never came carries one. */
  markers: string[];
}
