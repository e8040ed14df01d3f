/**
 * The lower bounds of the settings that time the bot's own work (config/bound-problems.ts): a
 * lease, a drift run or an audit anchor set shorter than its bound is refused at start, naming
 * the setting, and the bound itself loads. And azure mode never publishes audit anchors unsigned.
 */
import { loadConfig } from '../../src/config/config';
import { AZURE, problemsOf } from './support/config-env';

describe('too short to be meant', () => {
  test.each([
    ['ACRBOT_LEASE_TTL', '1s', '2s', 'ACRBOT_LEASE_TTL must lie between 2s and 10m'],
    ['ACRBOT_DRIFT_INTERVAL', '59s', '1m', 'ACRBOT_DRIFT_INTERVAL must be between 1m and 24h'],
    ['ACRBOT_AUDIT_ANCHOR_INTERVAL', '59s', '1m', 'ACRBOT_AUDIT_ANCHOR_INTERVAL must lie between 1m and 24h'],
  ])('%s=%s is refused; %s loads', (name, tooShort, shortest, problem) => {
    expect(problemsOf({ ...AZURE, [name]: tooShort })).toEqual([expect.stringContaining(problem)]);
    expect(() => loadConfig({ ...AZURE, [name]: shortest })).not.toThrow();
  });
});

test('azure mode: ACRBOT_AUDIT_ANCHOR without ACRBOT_AUDIT_KEY is refused (anchors are signed with it)', () => {
  const anchor = 'https://acrbotaudit.blob.core.windows.net/anchors';
  expect(problemsOf({ ...AZURE, ACRBOT_AUDIT_ANCHOR: anchor })).toEqual([
    'ACRBOT_AUDIT_ANCHOR needs ACRBOT_AUDIT_KEY (anchors are signed with it)',
  ]);
  const key = Buffer.alloc(32, 7).toString('base64');
  expect(loadConfig({ ...AZURE, ACRBOT_AUDIT_ANCHOR: anchor, ACRBOT_AUDIT_KEY: key }).auditAnchor).toMatchObject({
    target: { kind: 'identity', containerUrl: anchor },
  });
});
