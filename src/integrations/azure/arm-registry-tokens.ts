/** ACR scope maps, tokens and generateCredentials with `@azure/arm-containerregistry`. */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { RegistryTokenPort, WriteResult } from '../../domain/ports';
import { CloudApiError } from '../../domain/ports';
import { SecretValue } from '../../domain/secret-value';
import { errorRequestId, isNotFound, restErrorInfo, unlessNotFound } from './arm-connection';

type RegistryRef = { subscriptionId: string; resourceGroup: string; name: string };

/** The built-in scope map that pulls every repository. */
export const PULL_ALL_SCOPE_MAP = '_repositories_pull';

function writeError(err: unknown, what: string): CloudApiError {
  const info = restErrorInfo(err);
  return new CloudApiError(info.code ?? 'Unknown', info.statusCode, `${what} failed`, errorRequestId(err));
}

/** Captures `x-ms-request-id` of the final response of an SDK call. */
function requestIdRecorder(): {
  options: { onResponse: (raw: { headers: { get(n: string): string | undefined } }) => void };
  id: () => string | undefined;
} {
  let id: string | undefined;
  return {
    options: {
      onResponse: (raw) => {
        id = raw.headers.get('x-ms-request-id') ?? id;
      },
    },
    id: () => id,
  };
}

/** {@link RegistryTokenPort} over ARM; clients come from the resource reader's per-subscription cache. */
export class ArmRegistryTokens implements RegistryTokenPort {
  constructor(private readonly client: (subscriptionId: string) => ContainerRegistryManagementClient) {}

  async scopeMapFor(
    registry: RegistryRef & { id: string },
    scopeMapName: string,
    repositories: string[],
  ): Promise<{ id: string; created: boolean; requestId?: string }> {
    if (repositories.length === 0) return { id: `${registry.id}/scopeMaps/${PULL_ALL_SCOPE_MAP}`, created: false };
    const rec = requestIdRecorder();
    try {
      const actions = repositories.map((r) => `repositories/${r}/content/read`);
      const map = await this.client(registry.subscriptionId).scopeMaps.create(
        registry.resourceGroup,
        registry.name,
        scopeMapName,
        { actions, description: 'acrbot: pull only' },
        rec.options as never,
      );
      return { id: map.id ?? `${registry.id}/scopeMaps/${scopeMapName}`, created: true, requestId: rec.id() };
    } catch (err) {
      throw writeError(err, 'scope map create');
    }
  }

  async getToken(registry: RegistryRef, tokenName: string): Promise<{ id: string; scopeMapId?: string } | undefined> {
    const client = this.client(registry.subscriptionId);
    const token = await readChild('token read', () =>
      client.tokens.get(registry.resourceGroup, registry.name, tokenName),
    );
    return token && { id: token.id ?? tokenName, scopeMapId: token.scopeMapId };
  }

  async getScopeMap(registry: RegistryRef, scopeMapName: string): Promise<{ id: string } | undefined> {
    const client = this.client(registry.subscriptionId);
    const map = await readChild('scope map read', () =>
      client.scopeMaps.get(registry.resourceGroup, registry.name, scopeMapName),
    );
    return map && { id: map.id ?? scopeMapName };
  }

  // Same shape as scopeMapFor's create (one SDK create, its request id recorded), other body and result.
  async createToken(registry: RegistryRef, tokenName: string, scopeMapId: string): Promise<WriteResult> {
    const rec = requestIdRecorder();
    try {
      const token = await this.client(registry.subscriptionId).tokens.create(
        registry.resourceGroup,
        registry.name,
        tokenName,
        { scopeMapId, status: 'enabled' },
        rec.options as never,
      );
      return { id: token.id ?? tokenName, requestId: rec.id() };
    } catch (err) {
      throw writeError(err, 'token create');
    }
  }

  async generatePassword(
    registry: RegistryRef,
    tokenId: string,
    expiresAt: string,
  ): Promise<{ username: string; password: SecretValue; requestId?: string }> {
    const rec = requestIdRecorder();
    try {
      const result = await this.client(registry.subscriptionId).registries.generateCredentials(
        registry.resourceGroup,
        registry.name,
        { tokenId, expiry: new Date(expiresAt), name: 'password1' },
        rec.options as never,
      );
      const password = result.passwords?.find((p) => p.name === 'password1')?.value ?? result.passwords?.[0]?.value;
      if (!result.username || !password)
        throw new CloudApiError('NoPassword', undefined, 'generateCredentials returned no password', rec.id());
      return { username: result.username, password: new SecretValue(password), requestId: rec.id() };
    } catch (err) {
      if (err instanceof CloudApiError) throw err;
      throw writeError(err, 'generateCredentials');
    }
  }

  async deleteToken(registry: RegistryRef, tokenName: string): Promise<void> {
    try {
      await this.client(registry.subscriptionId).tokens.delete(registry.resourceGroup, registry.name, tokenName);
    } catch (err) {
      if (!isNotFound(err)) throw writeError(err, 'token delete');
    }
  }

  async deleteScopeMap(registry: RegistryRef, scopeMapName: string): Promise<void> {
    try {
      await this.client(registry.subscriptionId).scopeMaps.delete(registry.resourceGroup, registry.name, scopeMapName);
    } catch (err) {
      if (!isNotFound(err)) throw writeError(err, 'scope map delete');
    }
  }
}

/** Reads a registry child: undefined when there is none (404), any other failure explained as `what`. */
async function readChild<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await unlessNotFound(read);
  } catch (err) {
    throw writeError(err, what);
  }
}
