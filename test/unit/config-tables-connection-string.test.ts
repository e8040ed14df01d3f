/**
 * ACRBOT_STORAGE=tables:<connection string> is accepted at start exactly when @azure/data-tables
 * can open a client on it: the SDK reads a string as an account key one only with
 * DefaultEndpointsProtocol and AccountKey both there, anything else as a SAS one, so
 * `AccountName=…;AccountKey=…` (without the protocol) passed the start check and then stopped the
 * start with "Invalid SharedAccessSignature in the provided SAS Connection String", naming no
 * setting. A refused value is named by its setting, never repeated (it holds a key).
 */
import { TableClient } from '@azure/data-tables';
import { ConfigError, loadConfig } from '../../src/config/config';

const KEY = 'U0VDUkVUS0VZ';
const SAS = 'sv=2024-01-01&ss=t&sig=U0VDUkVU';

/** Connection strings an operator might give, accepted or not by the SDK. */
const CASES = [
  `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.windows.net`,
  `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${KEY};TableEndpoint=https://acct.table.core.windows.net`,
  `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1`,
  // The reviewer's two: no DefaultEndpointsProtocol, so the SDK reads them as SAS strings.
  `AccountName=acct;AccountKey=${KEY};TableEndpoint=https://acct.table.core.windows.net`,
  `AccountName=acct;AccountKey=${KEY}`,
  `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${KEY}`,
  `DefaultEndpointsProtocol=https;AccountKey=${KEY};TableEndpoint=https://acct.table.core.windows.net`,
  `TableEndpoint=https://acct.table.core.windows.net;SharedAccessSignature=${SAS}`,
  `AccountName=acct;SharedAccessSignature=${SAS}`,
  `TableEndpoint=https://127.0.0.1:10002/devstoreaccount1;SharedAccessSignature=${SAS}`,
  `TableEndpoint=https://tables.contoso.example;SharedAccessSignature=${SAS}`,
  `AccountName=acct;AccountKey=${KEY};SharedAccessSignature=${SAS};TableEndpoint=https://acct.table.core.windows.net`,
  'UseDevelopmentStorage=true',
];

/** True when the Tables SDK builds a client on `connectionString` (no request is sent). */
function sdkAccepts(connectionString: string): boolean {
  try {
    TableClient.fromConnectionString(connectionString, 'probe', { allowInsecureConnection: true });
    return true;
  } catch {
    return false;
  }
}

/** The ACRBOT_STORAGE problem loadConfig lists for `tables:<connectionString>`, if any. */
function storageProblem(connectionString: string): string | undefined {
  try {
    loadConfig({ ACRBOT_STORAGE: `tables:${connectionString}` });
    return undefined;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.find((p) => p.startsWith('ACRBOT_STORAGE'));
  }
}

test.each(CASES)('accepted at start exactly when the SDK can use it: %s', (connectionString) => {
  const problem = storageProblem(connectionString);
  expect({ accepted: problem === undefined }).toEqual({ accepted: sdkAccepts(connectionString) });
  if (problem) {
    expect(problem).toMatch(/^ACRBOT_STORAGE: tables: /);
    expect(problem).not.toContain(KEY);
    expect(problem).not.toContain(SAS);
  }
});

test('an account key string without DefaultEndpointsProtocol: the problem says what to add', () => {
  expect(storageProblem(`AccountName=acct;AccountKey=${KEY};TableEndpoint=https://acct.table.core.windows.net`)).toBe(
    "ACRBOT_STORAGE: tables: a connection string with AccountKey needs DefaultEndpointsProtocol=https (without it the Azure SDK reads it as a SAS connection string and refuses it): copy the whole connection string from the storage account's Access keys",
  );
});

test('the hint for a value that is no connection string shows one the SDK accepts', () => {
  const problem = storageProblem('SECRETKEY')!;
  const example = /\(([^)]*EndpointSuffix=core\.windows\.net)/.exec(problem)![1];
  expect(sdkAccepts(example.replace(/…/g, KEY))).toBe(true);
});
