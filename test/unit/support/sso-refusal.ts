/** What the tab's token validator refuses a token with, for tests of its refusals. */
import { SsoError, type SsoSettings, validateSsoToken } from '../../../src/tab/sso-token';

/**
 * The status and code `validateSsoToken` refuses `authorization` with under `settings`; throws
 * when it accepts the token, or fails with anything but an SsoError.
 */
export async function ssoRefusal(
  authorization: string,
  settings: SsoSettings,
): Promise<{ status: number; code: string }> {
  try {
    await validateSsoToken(authorization, settings);
  } catch (e) {
    if (e instanceof SsoError) return { status: e.status, code: e.code };
    throw e;
  }
  throw new Error('token was accepted');
}
