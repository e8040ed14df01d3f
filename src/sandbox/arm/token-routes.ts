/**
 * Routes of `registries/{r}/tokens` and `registries/{r}/generateCredentials` (CONTRACTS §2.3).
 * Writes answer 200/201 with `provisioningState: Succeeded` and no async-operation header, so
 * the SDK pollers finish without polling, unless a test holds a create (long-running-writes.ts):
 * then it answers `Creating` with an operation to poll, and the token refuses other writes.
 */
import { HttpError } from '../http-util';
import { idKey } from './arm-ids';
import { childNotFound } from './arm-errors';
import { ok, type ArmRequestContext, type ArmRoute } from './arm-route';
import {
  childBase,
  createdChild,
  operationStatusRoute,
  registryChildReadRoutes,
  registryOf,
  requireChild,
  type RegistryChildSpec,
} from './registry-children';
import type { RegistryRecord } from './registries';
import { REGISTRIES_RG } from './registry-routes';
import { assertTokenName, newTokenPassword, parseTokenBody, tokenToWire, type TokenRecord } from './tokens';
import { assertBelowQuota, tokenStatusOnWrite } from './registry-token-rules';

const BASE = childBase('tokens');
const TOKENS: RegistryChildSpec<TokenRecord> = { child: 'tokens', records: (r) => r.tokens, toWire: tokenToWire };

/** Token and credential routes. */
export function tokenRoutes(): ArmRoute[] {
  return [
    ...registryChildReadRoutes(TOKENS),
    operationStatusRoute('tokens'),
    {
      method: 'PUT',
      pattern: `${BASE}/{name}`,
      operation: 'tokens.create',
      action: 'Microsoft.ContainerRegistry/registries/tokens/write',
      handle: (ctx) => {
        const registry = registryOf(ctx);
        const name = ctx.params['name']!;
        assertTokenName(name);
        const { scopeMapId, status: asked } = parseTokenBody(ctx.body, true);
        const canonicalScopeMapId = requireScopeMapId(registry, scopeMapId!);
        // A policy's Modify effect (registry-token-rules.ts) replaces what was asked, and says nothing.
        const status = tokenStatusOnWrite(registry, asked);
        const existing = registry.tokens.get(name.toLowerCase());
        if (existing) {
          // Another operation (a create still running) holds it: refused like a DELETE then.
          ctx.state.longRunning.allowWrite(existing);
          // A re-PUT keeps the passwords, as ACR does.
          existing.scopeMapId = canonicalScopeMapId;
          existing.status = status ?? existing.status;
          return ok(tokenToWire(existing));
        }
        assertBelowQuota(registry, 'tokens');
        const token: TokenRecord = {
          id: `${registry.id}/tokens/${name}`,
          name,
          scopeMapId: canonicalScopeMapId,
          status: status ?? 'enabled',
          // Dated by the emulator's clock (a bot's test clock in tests), as its role assignments
          // are: a test deletes and makes a token again under the name at a later date.
          creationDate: ctx.state.clock.now().toISOString(),
          passwords: [],
        };
        return createdChild(ctx, TOKENS, token);
      },
    },
    {
      method: 'PATCH',
      pattern: `${BASE}/{name}`,
      operation: 'tokens.update',
      action: 'Microsoft.ContainerRegistry/registries/tokens/write',
      handle: (ctx) => {
        const registry = registryOf(ctx);
        const token = requireChild(registry.tokens, ctx.params['name']!);
        ctx.state.longRunning.allowWrite(token);
        const { scopeMapId, status: asked } = parseTokenBody(ctx.body, false);
        if (scopeMapId) token.scopeMapId = requireScopeMapId(registry, scopeMapId);
        const status = tokenStatusOnWrite(registry, asked);
        if (status) token.status = status;
        return ok(tokenToWire(token));
      },
    },
    {
      method: 'DELETE',
      pattern: `${BASE}/{name}`,
      operation: 'tokens.delete',
      action: 'Microsoft.ContainerRegistry/registries/tokens/delete',
      handle: (ctx) => {
        const registry = registryOf(ctx);
        const key = ctx.params['name']!.toLowerCase();
        const existing = registry.tokens.get(key);
        if (!existing) return { status: 204 };
        ctx.state.longRunning.allowWrite(existing);
        registry.tokens.delete(key);
        return { status: 200 };
      },
    },
    {
      method: 'POST',
      pattern: `${REGISTRIES_RG}/{registry}/generateCredentials`,
      operation: 'registries.generateCredentials',
      action: 'Microsoft.ContainerRegistry/registries/generateCredentials/action',
      handle: (ctx) => generateCredentials(ctx),
    },
  ];
}

/**
 * `{tokenId, expiry?, name?}` → fresh password(s), returned this once. Without `name` both
 * passwords are regenerated.
 */
function generateCredentials(ctx: ArmRequestContext) {
  const registry = registryOf(ctx);
  const body = (ctx.body ?? {}) as { tokenId?: unknown; expiry?: unknown; name?: unknown };
  if (typeof body.tokenId !== 'string' || body.tokenId === '') {
    throw new HttpError(400, 'InvalidRequestContent', "The request content was invalid: 'tokenId' is required.");
  }
  const prefix = `${idKey(registry.id)}/tokens/`;
  const tokenKey = idKey(body.tokenId);
  const token = tokenKey.startsWith(prefix) ? registry.tokens.get(tokenKey.slice(prefix.length)) : undefined;
  if (!token) throw childNotFound(body.tokenId.split('/').pop() ?? body.tokenId);
  if (body.name !== undefined && body.name !== 'password1' && body.name !== 'password2') {
    throw new HttpError(
      400,
      'InvalidRequestContent',
      "The request content was invalid: 'name' must be 'password1' or 'password2'.",
    );
  }
  let expiry: string | undefined;
  if (body.expiry !== undefined) {
    if (typeof body.expiry !== 'string' || Number.isNaN(Date.parse(body.expiry))) {
      throw new HttpError(
        400,
        'InvalidRequestContent',
        "The request content was invalid: 'expiry' must be a date-time.",
      );
    }
    expiry = new Date(body.expiry).toISOString();
  }
  const names: Array<'password1' | 'password2'> = body.name ? [body.name] : ['password1', 'password2'];
  const passwords = names.map((name) => {
    const { value, record } = newTokenPassword(name, expiry);
    token.passwords = [...token.passwords.filter((p) => p.name !== name), record].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    return { creationTime: record.creationTime, ...(record.expiry ? { expiry: record.expiry } : {}), name, value };
  });
  return ok({ username: token.name, passwords });
}

/** The scope map must belong to this registry; returns its canonical id. */
function requireScopeMapId(registry: RegistryRecord, scopeMapId: string): string {
  const prefix = `${idKey(registry.id)}/scopemaps/`;
  const key = idKey(scopeMapId);
  const sm = key.startsWith(prefix) ? registry.scopeMaps.get(key.slice(prefix.length)) : undefined;
  if (!sm)
    throw new HttpError(
      400,
      'BadRequest',
      `The scope map '${scopeMapId}' was not found in registry '${registry.name}'.`,
    );
  return sm.id;
}
