/** Fixtures of the credential clean-up tests: acrbot's record of a token it made, and token ports that record deletions. */
import type { AccessRequest } from '../../../src/domain/request';
import { REGISTRY_ID } from './requests';

/** acrbot's record (`created`) of the token request `id` made on the fixtures' registry. */
export function recordedToken(id: string, recordedAt: string): NonNullable<AccessRequest['created']>[number] {
  const name = `acrbot-${id.toLowerCase()}`;
  return { kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${name}`, name, recordedAt };
}

/** ACR token ports where every token and scope map named exists, its create finished; deletions go to `deletes`. */
export function recordingTokenPorts(deletes: string[]) {
  return {
    getToken: async (_r: unknown, name: string) => ({ id: name, provisioningState: 'Succeeded' }),
    getScopeMap: async (_r: unknown, name: string) => ({ id: name, provisioningState: 'Succeeded' }),
    deleteToken: async (_r: unknown, name: string) => {
      deletes.push(`token:${name}`);
      return {};
    },
    deleteScopeMap: async (_r: unknown, name: string) => {
      deletes.push(`scopeMap:${name}`);
      return {};
    },
  };
}
