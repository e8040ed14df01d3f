/**
 * The bot's own Bot Framework token from a local Entra authority (test hook
 * ACRBOT_CHANNEL_LOGIN_URL, sandbox mode only): the sandbox identity emulator instead of
 * login.microsoftonline.com, so a test's app password never leaves the machine.
 *
 * botbuilder's own password path cannot be pointed there: for any login URL but Entra's it builds
 * an MSAL client with no known authorities, and MSAL then asks login.microsoftonline.com to
 * validate the host (instance discovery) and trusts only the public CAs. So this builds that
 * client itself, with the same MSAL botframework-connector uses (its own nested copy), the
 * authority declared known (no discovery call) and the sandbox CA trusted for this client only,
 * and hands it to botframework-connector's `MsalServiceClientCredentialsFactory`. What happens
 * with the password from there on (client-credentials grant, token cache, errors) is botbuilder's
 * and MSAL's code, as in production.
 */
import { dirname } from 'node:path';
import { MsalServiceClientCredentialsFactory } from 'botframework-connector';

/** The MSAL client type botframework-connector's factory takes. */
type ConfidentialClient = ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1];

/** The subset of `@azure/msal-node`'s configuration used here (see the file comment). */
interface MsalNode {
  ConfidentialClientApplication: new (config: {
    auth: { clientId: string; clientSecret: string; authority: string; knownAuthorities: string[] };
    system: { customAgentOptions: { ca?: string } };
  }) => ConfidentialClient;
}

/**
 * A credentials factory whose tokens come from `loginUrl` (`https://host:port/<tenant>`) for
 * `appId` with `password`, trusting `caPem` (the sandbox CA) for that host.
 */
export function localLoginCredentials(input: {
  loginUrl: string;
  appId: string;
  password: string;
  caPem?: string;
}): MsalServiceClientCredentialsFactory {
  const msal = require(
    require.resolve('@azure/msal-node', { paths: [dirname(require.resolve('botframework-connector'))] }),
  ) as MsalNode;
  const client = new msal.ConfidentialClientApplication({
    auth: {
      clientId: input.appId,
      clientSecret: input.password,
      authority: input.loginUrl,
      knownAuthorities: [new URL(input.loginUrl).host],
    },
    system: { customAgentOptions: input.caPem ? { ca: input.caPem } : {} },
  });
  return new MsalServiceClientCredentialsFactory(input.appId, client);
}
