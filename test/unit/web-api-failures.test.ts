/**
 * What the tab says when a call fails without a sentence from acrbot: no answer at all (the
 * network, acrbot down; for a POST, that it may have been done all the same), a success that is
 * no JSON (a proxy's or a sign-in page), Teams refusing a sign-in token, and a fault of the page
 * itself. Always a sentence with what to do, never the browser's words, an empty alert or a
 * TypeError from drawing data that is not there.
 */
import { api, ApiError, AuthError, signInFailure, unreachableMessage } from '../../web/src/api';
import { problemMessage } from '../../web/src/problem';

const host = { token: async () => 't' };

afterEach(() => jest.restoreAllMocks());

describe('a call that gets no answer', () => {
  test('a GET: acrbot could not be reached, not "Failed to fetch"; the browser error kept as the cause', async () => {
    const offline = new TypeError('Failed to fetch');
    jest.spyOn(globalThis, 'fetch').mockRejectedValue(offline);
    const err = await api(host, '/me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(0);
    expect((err as ApiError).message).toBe('acrbot could not be reached; check your connection and reload the page.');
    expect((err as ApiError).cause).toBe(offline);
  });

  test('a POST (Revoke, Extend): whether it was done is not known, so the page says to look', async () => {
    jest.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('NetworkError when attempting to fetch resource.'));
    const err = await api(host, '/requests/R-1/revoke', { reason: 'no longer needed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe(unreachableMessage(true));
    expect((err as ApiError).message).toContain('whether that was done is not known');
  });
});

test('a 200 that is no JSON (a proxy or sign-in page) is a failure, not data drawn as undefined', async () => {
  jest
    .spyOn(globalThis, 'fetch')
    .mockResolvedValue(
      new Response('<html><body>Sign in</body></html>', { status: 200, headers: { 'Content-Type': 'text/html' } }),
    );
  const err = await api(host, '/me').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).message).toBe("acrbot's answer could not be read (HTTP 200, not JSON); reload the page.");
});

test("a failure with acrbot's sentence keeps it, with the correlation id as the reference", async () => {
  jest.spyOn(globalThis, 'fetch').mockResolvedValue(
    new Response(JSON.stringify({ error: 'unavailable', message: 'The store did not answer.', correlationId: 'c-9' }), {
      status: 503,
      headers: { 'Content-Type': 'application/json' },
    }),
  );
  await expect(api(host, '/my-access')).rejects.toThrow('The store did not answer. (reference c-9)');
});

describe("Teams' refusal of a sign-in token", () => {
  test.each([
    ['a bare reason', 'resourceRequiresConsent', /consent to the tab's app registration/],
    [
      'AADSTS65001',
      new Error('AADSTS65001: The user or administrator has not consented to use the application.'),
      /grant consent to the tab's app registration; tell the platform team\./,
    ],
    [
      'AADSTS500011',
      new Error('AADSTS500011: The resource principal named api://bot.example/abc was not found in the tenant.'),
      /open it again; if this stays, give the platform team this message/,
    ],
  ])('%s: a sign-in problem naming the reason and who can fix it', (_label, reason, hint) => {
    const err = signInFailure(reason);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('sso_failed');
    const said = reason instanceof Error ? reason.message : reason;
    expect(err.message).toContain(`Teams could not sign you in to acrbot (${said})`);
    expect(err.message).toMatch(hint);
  });

  test('a refusal without a reason still reads as a sentence', () => {
    expect(signInFailure({}).message).toContain('(no reason given)');
  });
});

describe('the sentence the page shows', () => {
  test("acrbot's own sentences are shown as they are", () => {
    expect(problemMessage(new ApiError(500, 'Something failed (correlation id c-1).'))).toBe(
      'Something failed (correlation id c-1).',
    );
    expect(problemMessage(new AuthError(403, 'tenant_not_allowed', 'Your organisation is not allowed.'))).toBe(
      'Your organisation is not allowed.',
    );
  });

  test.each([
    [
      'a TypeError',
      new TypeError("Cannot read properties of undefined (reading 'name')"),
      'TypeError: Cannot read properties',
    ],
    ['undefined', undefined, 'no details'],
    ['a string', 'the host said no', 'the host said no'],
  ])('a fault of the page (%s) says what happened and what to do, never an empty alert', (_label, thrown, detail) => {
    const text = problemMessage(thrown);
    expect(text).toMatch(/^Something went wrong showing this page \(/);
    expect(text).toContain(detail);
    expect(text).toContain('Reload the page; if it stays, tell the platform team what this says.');
  });
});
