/**
 * The sentence for a token or scope map refused at the registry's limit offers `--kind sp` only
 * as the requester can take it: never to an extension (`extend` takes only --for), and to a
 * request limited to repositories as a new request without them.
 */
import { registryQuotaSentence } from '../../src/flows/azure-failure-text';

const refusal = { code: 'QuotaExceeded', statusCode: 400, requestId: 'arm-1', correlationRequestId: 'corr-1' };
const say = (extension: boolean, repositories: boolean) =>
  registryQuotaSentence(refusal, 'contosoacr', 'token', { extension, repositories })!;

test('a new request for all repositories: --kind sp, which uses neither', () => {
  expect(say(false, false)).toMatch(
    /or move the registry to a higher SKU; or ask for --kind sp, which uses neither\. They/,
  );
});

test('a new request limited to repositories: --kind sp without --repositories, which pulls every repository', () => {
  expect(say(false, true)).toMatch(
    /higher SKU; or ask again with --kind sp and without --repositories, which uses neither but pulls from every repository of the registry\. They/,
  );
});

test.each([
  [
    true,
    /higher SKU\. An extension makes its new token and scope map before it deletes the old ones, so the registry needs room for one more of each\. They/,
  ],
  [
    false,
    /higher SKU\. An extension makes its new token before it deletes the old one, so the registry needs room for one more\. They/,
  ],
])('an extension (repositories: %s): no --kind sp, and why it needs room', (repositories, sentence) => {
  expect(say(true, repositories)).toMatch(sentence);
  expect(say(true, repositories)).not.toMatch(/--kind sp/);
});

test('any other refusal: no sentence', () => {
  const other = { ...refusal, code: 'AuthorizationFailed', statusCode: 403 };
  expect(
    registryQuotaSentence(other, 'contosoacr', 'token', { extension: false, repositories: false }),
  ).toBeUndefined();
});
