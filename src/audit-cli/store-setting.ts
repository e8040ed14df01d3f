/**
 * The store an offline tool reads (the audit CLI, `npm run store:owed`), resolved from its
 * `--storage` flag or ACRBOT_STORAGE by the bot's own config rules. Each tool passes its own
 * refusal sentences: they name what that tool would have read.
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type StorageSetting } from '../config/config';
import { CliError, EXIT } from './cli-error';

/** A store an offline tool can read: a SQLite file (resolved path) or Azure Tables. */
export type ReadableStorage = { kind: 'sqlite'; path: string } | Extract<StorageSetting, { kind: 'tables' }>;

/** The sentences a tool refuses with, in its own words. */
export interface StorageRefusals {
  /** `--storage` given but empty (an unset shell variable). */
  emptyFlag: string;
  /** The setting names the in-process memory store, which no other process can read. */
  memory: string;
}

/**
 * The store from `flag`, else ACRBOT_STORAGE; memory is refused. Only the storage settings are
 * passed to `loadConfig`: reading a store needs no bot credentials, and a production env
 * without them must still work. ACRBOT_TABLE_PREFIX goes with the store it names:
 * ACRBOT_STORAGE, refused beside a store without tables as the bot refuses it, or a
 * `--storage tables:…`. A `--storage sqlite:<path>` (a backup, say) reads that file, whatever
 * tables the environment's own pair names. Every refusal is a {@link CliError} (exit 2).
 */
export function resolveReadableStorage(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  refusals: StorageRefusals,
): ReadableStorage {
  // An empty flag (an unset shell variable in `--storage "$DB"`) names no store: falling back to
  // ACRBOT_STORAGE would read another store than the one the operator meant.
  if (flag !== undefined && flag.trim() === '') throw new CliError(refusals.emptyFlag);
  const prefixApplies = flag === undefined || flag.trim().startsWith('tables:');
  let storage: StorageSetting;
  try {
    storage = loadConfig({
      ACRBOT_STORAGE: flag ?? env.ACRBOT_STORAGE,
      ACRBOT_TABLE_PREFIX: prefixApplies ? env.ACRBOT_TABLE_PREFIX : undefined,
    }).storage;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.problems.join('\n'), EXIT.usage, { cause: err });
    throw err;
  }
  if (storage.kind === 'memory' || (storage.kind === 'sqlite' && storage.path === ':memory:'))
    throw new CliError(refusals.memory);
  if (storage.kind === 'tables') return storage;
  return { kind: 'sqlite', path: resolve(storage.path) };
}
