/**
 * The store as azure mode needs it: named (the default SQLite file in ./data is a developer's),
 * outliving a restart, and without a table prefix it would not use. Names the store's kind,
 * never the value of ACRBOT_STORAGE (a connection string carries the account key).
 */
import type { ReadSettings } from './read-settings';
import { isEphemeralStorage, type StorageSetting } from './storage-setting';

/**
 * ACRBOT_TABLE_PREFIX beside a store that has no tables: it would do nothing, and whoever set it
 * believes the bot keeps its data in Azure Tables (or in tables of that name) when it does not.
 * Names the store's kind, never the value of ACRBOT_STORAGE.
 */
function unusedTablePrefix(
  storage: StorageSetting,
  prefix: string | undefined,
  env: Record<string, string | undefined>,
): string[] {
  if (prefix === undefined || storage.kind === 'tables') return [];
  const store =
    storage.kind === 'memory'
      ? 'memory'
      : storage.path === ':memory:'
        ? 'SQLite in memory'
        : env.ACRBOT_STORAGE === undefined
          ? 'a SQLite file (the default: ACRBOT_STORAGE is not set)'
          : 'a SQLite file';
  return [
    `ACRBOT_TABLE_PREFIX applies only to ACRBOT_STORAGE=tables:…, and the store here is ${store}: ` +
      'remove ACRBOT_TABLE_PREFIX, or set ACRBOT_STORAGE=tables:… if the store was meant to be Azure Tables',
  ];
}

/** The problems of ACRBOT_STORAGE and ACRBOT_TABLE_PREFIX beside the mode. */
export function storageProblems({ cleaned, e, sandbox, parsedOk }: ReadSettings): string[] {
  const problems: string[] = [];
  // The schema's default (a SQLite file in ./data) suits a developer's checkout: in a container
  // it is lost with the container, and several instances would keep one store each. Azure mode
  // names its store.
  const storageUnset = cleaned.ACRBOT_STORAGE === undefined;
  if (!sandbox && storageUnset)
    problems.push(
      'ACRBOT_STORAGE is required in azure mode: tables:https://<account>.table.core.windows.net (Azure Tables with the managed identity, as infra/main.bicep sets it), or sqlite:<path> on a persistent volume for a single instance. Unset, acrbot would keep the audit trail, pending requests and the scheduled ends of access in ./data/acrbot.db inside the container, lost when it is replaced',
    );
  // A store in process memory loses, at every restart, the audit trail (G11), pending requests and
  // executions (G13) and every scheduled end of access, so what acrbot granted is never revoked
  // (G17). Tests and benchmarks of azure mode say so explicitly.
  const ephemeral = isEphemeralStorage(e.ACRBOT_STORAGE);
  if (!sandbox && ephemeral && e.ACRBOT_ALLOW_EPHEMERAL_STORAGE !== 'true')
    problems.push(
      'ACRBOT_STORAGE keeps everything in process memory: in azure mode every restart would lose the audit trail, pending requests and the scheduled ends of access. Use sqlite:<file> or tables:…, or set ACRBOT_ALLOW_EPHEMERAL_STORAGE=true for a test',
    );
  // An unset store in azure mode is named above; the prefix is judged once the store is named.
  if (parsedOk('ACRBOT_STORAGE') && (sandbox || !storageUnset))
    problems.push(...unusedTablePrefix(e.ACRBOT_STORAGE, e.ACRBOT_TABLE_PREFIX, cleaned));
  return problems;
}
