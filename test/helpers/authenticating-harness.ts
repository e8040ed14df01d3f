/**
 * The bot as it runs in Azure as far as inbound authentication goes (G1): an app identity
 * (SingleTenant app id, the sandbox tenant, a dummy password) that takes only channel tokens the
 * local stand-in for login.botframework.com signs (test/helpers/fake-openid.ts).
 */
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { type FakeChannelIssuer, startFakeChannelIssuer } from './fake-openid';
import { type Harness, startHarness } from './harness';

/** The bot's app id: the audience of the channel tokens a test signs with the issuer. */
export const CHANNEL_APP_ID = '6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';

/**
 * Starts the fake channel token issuer and a harness whose bot authenticates every inbound
 * activity against it. Its app password is a dummy: the bot's outbound token does not come from
 * it here. The caller stops both (`h.stop()`, `issuer.stop()`).
 */
export async function startAuthenticatingHarness(): Promise<{ issuer: FakeChannelIssuer; h: Harness }> {
  const issuer = await startFakeChannelIssuer();
  try {
    const h = await startHarness({
      MicrosoftAppId: CHANNEL_APP_ID,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: SANDBOX_TENANT_ID,
      MicrosoftAppPassword: 'dummy-not-a-secret',
      ACRBOT_CHANNEL_OPENID_METADATA_URL: issuer.metadataUrl,
    });
    return { issuer, h };
  } catch (err) {
    // The caller has nothing to stop yet: the issuer would keep its port open.
    await issuer.stop();
    throw err;
  }
}
