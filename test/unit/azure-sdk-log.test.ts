/**
 * The Azure SDK's own log lines (`@azure/logger`, which the Azure Monitor distro turns on at
 * "warning" once telemetry starts) go through acrbot's logger: JSON lines at their level,
 * scrubbed, with the correlation id of the work they came from, not plain text on the console.
 */
import { AzureLogger, createClientLogger, getLogLevel, setLogLevel } from '@azure/logger';
import { routeAzureSdkLogs } from '../../src/observability/azure-sdk-log';
import { withCorrelation } from '../../src/observability/correlation';
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'S3ntinelSdkLine7d2a';
const originalLog = AzureLogger.log;
const originalLevel = getLogLevel();
const sdk = createClientLogger('identity');

afterEach(() => {
  AzureLogger.log = originalLog;
  setLogLevel(originalLevel);
});

test('a warning is a JSON line at warn, its namespace a field, its secrets replaced', () => {
  const logs = new LogCapture();
  routeAzureSdkLogs(logs.logger('info'));
  setLogLevel('warning');
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    sdk.warning('ManagedIdentityCredential: token request failed: client_secret=%s', SECRET);
    sdk.info('not at this level');
    // Asserted before the restore: mockRestore forgets the calls it recorded.
    expect(stderr).not.toHaveBeenCalled();
  } finally {
    stderr.mockRestore();
  }
  expect(logs.lines).toHaveLength(1);
  expect(logs.lines[0]).not.toContain(SECRET);
  expect(JSON.parse(logs.lines[0])).toMatchObject({
    level: 40,
    azureSdk: 'azure:identity',
    msg: 'ManagedIdentityCredential: token request failed: client_secret=[redacted]',
  });
});

test('each SDK level maps to pino’s, and a line keeps the correlation id of its work', async () => {
  const logs = new LogCapture();
  routeAzureSdkLogs(logs.logger('debug'));
  setLogLevel('verbose');
  await withCorrelation(async () => {
    sdk.error('e');
    sdk.warning('w');
    sdk.info('i');
    sdk.verbose('v');
  }, 'turn-1');
  expect(logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
    expect.objectContaining({ level: 50, msg: 'e', correlationId: 'turn-1' }),
    expect.objectContaining({ level: 40, msg: 'w', correlationId: 'turn-1' }),
    expect.objectContaining({ level: 30, msg: 'i', correlationId: 'turn-1' }),
    expect.objectContaining({ level: 20, msg: 'v', correlationId: 'turn-1' }),
  ]);
});
