/**
 * Opens the audit log in Azure Table Storage for offline review: the table is never created,
 * and nothing is written (the log's clock throws if anything tried to append).
 */
import type { StorageSetting } from '../config/config';
import { openTablesAccount } from '../integrations/store/tables-client';
import { TablesAuditLog } from '../integrations/store/tables-audit-log';
import { CliError, EXIT } from './cli-error';

/** The audit log on Tables, read-only. */
export interface TablesReview {
  log: TablesAuditLog;
}

/** Opens `<prefix>audit`; a missing table is an error (exit 2), never created. */
export async function openTablesReview(
  storage: Extract<StorageSetting, { kind: 'tables' }>,
  key: Buffer | undefined,
): Promise<TablesReview> {
  const account = openTablesAccount(storage.connection, storage.prefix);
  const log = new TablesAuditLog(
    account.existingTable('audit'),
    {
      now() {
        throw new Error('the audit CLI is read-only and never appends');
      },
    },
    key,
  );
  let exists: boolean;
  try {
    exists = await log.exists();
  } catch (err) {
    // The SDK's message names the endpoint or the service's answer; secrets in it (a SAS the
    // answer quotes) are scrubbed where the CLI prints it (main.ts).
    throw new CliError(
      `cannot read the audit table at ${account.displayEndpoint}: ${(err as Error).message}`,
      EXIT.usage,
      {
        cause: err,
      },
    );
  }
  if (!exists)
    throw new CliError(
      `no audit table ${storage.prefix ?? 'acrbot'}audit at ${account.displayEndpoint} (nothing was created); check ACRBOT_STORAGE and ACRBOT_TABLE_PREFIX`,
    );
  return { log };
}
