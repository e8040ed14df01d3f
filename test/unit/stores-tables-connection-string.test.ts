/**
 * A Tables connection string the SDK cannot parse that reaches the stores step (loadConfig
 * refuses the ones it knows of; config-tables-connection-string.test.ts) stops the start naming
 * ACRBOT_STORAGE, never the value (it holds the account key), and the SDK's reason as the cause,
 * instead of the SDK's "Invalid SharedAccessSignature in the provided SAS Connection String".
 */
import { loadConfig } from '../../src/config/config';
import { openAppStores } from '../../src/composition/stores';
import { LogCapture } from '../helpers/log-capture';

const KEY = 'U0VDUkVUS0VZU0VOVElORUw=';

test('the SDK refuses the connection string: the error names ACRBOT_STORAGE and not the key', async () => {
  const config = {
    ...loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    storage: {
      kind: 'tables',
      connection: {
        kind: 'connectionString',
        value: `AccountName=acct;AccountKey=${KEY};TableEndpoint=https://acct.table.core.windows.net`,
      },
    },
  } as const;
  const failure = await openAppStores(config, { now: () => new Date() }, {}, new LogCapture().logger()).then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  expect(failure?.message).toBe(
    "ACRBOT_STORAGE: the Azure Tables SDK cannot use this connection string (Invalid SharedAccessSignature in the provided SAS Connection String): copy the whole connection string from the storage account's Access keys, or use tables:https://<account>.table.core.windows.net with a managed identity",
  );
  expect(failure?.cause).toBeInstanceOf(Error);
  expect(JSON.stringify({ message: failure?.message, stack: failure?.stack })).not.toContain(KEY);
});
