/** Shared fixtures of the configuration tests: GUIDs, a valid azure-mode environment, and its problems. */
import { ConfigError, loadConfig } from '../../../src/config/config';

/** Well-formed GUIDs for the settings that take one. */
export const G = {
  app: '11111111-1111-4111-8111-111111111111',
  tenant: '22222222-2222-4222-8222-222222222222',
  sub: '33333333-3333-4333-8333-333333333333',
  sub2: '44444444-4444-4444-8444-444444444444',
  approver: '55555555-5555-4555-8555-555555555555',
  group: '66666666-6666-4666-8666-666666666666',
};

/** A complete, valid azure-mode environment. */
export const AZURE: Record<string, string> = {
  ACRBOT_MODE: 'azure',
  MicrosoftAppId: G.app,
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: G.tenant,
  MicrosoftAppPassword: 'not-a-real-secret',
  AZURE_SUBSCRIPTION_ID: G.sub,
  ACRBOT_APPROVERS: G.approver,
  // Azure mode names its store (the default SQLite file in ./data would die with the container).
  ACRBOT_STORAGE: 'sqlite:/var/lib/acrbot/acrbot.db',
};

/** The problems loadConfig lists for `env`; fails the test when it accepts it. */
export function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected loadConfig(${JSON.stringify(env)}) to throw`);
}
