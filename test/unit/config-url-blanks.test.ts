/**
 * A URL setting with a blank inside it (config/url-settings.ts) is refused at start, naming the
 * setting: the URL parser would take it, encoding the blank as %20, and acrbot would call an
 * endpoint nobody wrote.
 */
import { loadConfig } from '../../src/config/config';
import { AZURE, problemsOf } from './support/config-env';

test.each([
  ['ACRBOT_GRAPH_ENDPOINT', 'https://graph.microsoft.us/my graph'],
  ['ACRBOT_ARM_ENDPOINT', 'https://management .usgovcloudapi.net'],
])('%s=%j is refused, naming the setting', (name, value) => {
  expect(problemsOf({ ...AZURE, [name]: value })).toEqual([
    expect.stringMatching(new RegExp(`^${name} must be an https:// URL`)),
  ]);
});

test('the same URL without the blank loads', () => {
  expect(() => loadConfig({ ...AZURE, ACRBOT_GRAPH_ENDPOINT: 'https://graph.microsoft.us' })).not.toThrow();
});
