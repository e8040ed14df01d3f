/**
 * With telemetry on, the Azure Monitor distro turns the Azure SDK's own logging on and writes it
 * to the console as plain text; src/index.ts routes it through acrbot's logger instead
 * (observability/azure-sdk-log.ts), so stdout stays JSON lines (docs/operations.md). Here the
 * exporter's pipeline, at AZURE_LOG_LEVEL=info, logs each attempt to reach an ingestion endpoint
 * that refuses connections.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { killAndWait } from '../helpers/bot-process';
import { testWorkDir } from '../helpers/test-work-dir';

const ROOT = join(__dirname, '..', '..');
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child) await killAndWait(child);
});

test('the SDK lines the distro turns on are JSON log lines on stdout, at their level', async () => {
  child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'src', 'index.ts')], {
    cwd: testWorkDir(),
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      ACRBOT_STORAGE: 'memory',
      AZURE_LOG_LEVEL: 'info',
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=11111111-2222-4333-8444-555555555555;IngestionEndpoint=https://127.0.0.1:1/',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/azure:core-rest-pipeline/.test(stdout) && stdout.endsWith('\n')) resolve();
    });
    child!.once('exit', (code) => reject(new Error(`bot exited ${code}: ${stdout}${stderr}`)));
  });
  const lines = stdout.trimEnd().split('\n');
  for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  const sdkLine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.azureSdk);
  expect(sdkLine).toMatchObject({ level: 30, app: 'acrbot', azureSdk: 'azure:core-rest-pipeline' });
  expect(stderr).not.toMatch(/azure:/);
}, 60_000);
