/**
 * The sandbox's endpoints by mode: the ARM and Graph emulators are set together or not at all,
 * and the channel's test hooks are allowed in sandbox mode only.
 */
import type { ReadSettings } from './read-settings';

/**
 * Sandbox mode with one of ACRBOT_ARM_ENDPOINT and ACRBOT_GRAPH_ENDPOINT but not the other. The
 * sandbox's ARM and Graph emulators are one world (the same identities, one CA), started together
 * or not at all: an external ARM emulator beside the bot's own Graph emulator would answer for
 * two different worlds, and the clients trust either the own emulators' CA or NODE_EXTRA_CA_CERTS,
 * not both. Read from the cleaned environment, so a malformed endpoint does not hide this too.
 */
function halfExternalSandbox(env: Record<string, string | undefined>): string[] {
  const arm = env.ACRBOT_ARM_ENDPOINT !== undefined;
  const graph = env.ACRBOT_GRAPH_ENDPOINT !== undefined;
  if (arm === graph) return [];
  const [set, unset] = arm
    ? ['ACRBOT_ARM_ENDPOINT', 'ACRBOT_GRAPH_ENDPOINT']
    : ['ACRBOT_GRAPH_ENDPOINT', 'ACRBOT_ARM_ENDPOINT'];
  return [
    `${set} is set without ${unset}: in sandbox mode the ARM and Graph emulators run together, so set both ` +
      '(external emulators, their CA in NODE_EXTRA_CA_CERTS) or neither (acrbot starts its own)',
  ];
}

/** The problems of the emulator endpoints and the channel's test hooks in the mode of `read`. */
export function sandboxEndpointProblems({ cleaned, e, sandbox }: ReadSettings): string[] {
  const problems: string[] = [];
  if (sandbox) problems.push(...halfExternalSandbox(cleaned));
  if (!sandbox && (e.ACRBOT_CHANNEL_OPENID_METADATA_URL || e.ACRBOT_CHANNEL_TOKEN_ISSUER || e.ACRBOT_CHANNEL_LOGIN_URL))
    problems.push(
      'ACRBOT_CHANNEL_OPENID_METADATA_URL, ACRBOT_CHANNEL_TOKEN_ISSUER and ACRBOT_CHANNEL_LOGIN_URL are test hooks and only allowed with ACRBOT_MODE=sandbox',
    );
  return problems;
}
