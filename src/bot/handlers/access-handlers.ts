/** `access` and `check`: read-only answers from the access inventory. */
import type { TurnContext } from 'botbuilder';
import type { Command } from '../../domain/command';
import { isUserFacing, UserFacingError } from '../../domain/errors';
import { isNameOf, onLoginServerDomain } from '../../domain/names';
import { isOtherTenant } from '../../domain/own-tenant';
import { parseResourceId } from '../../domain/resource-id';
import { cutText } from '../../domain/text';
import type { DriftFinding } from '../../domain/access-inventory';
import type { DriftNoticedBy } from '../../flows/drift-detector';
import { OPEN_REQUESTS_SHOWN } from '../../flows/requester-requests';
import { checkCard, clusterAccessCard, registryAccessCard, userAccessCard } from '../../views/access-view';
import type { AdaptiveCardJson } from '../../views/card-templates';
import { messageCard, refusalCard } from '../../views/message-view';
import type { BotServices } from '../bot-services';
import { errorCardFor, sendCard } from '../turn-cards';
import type { TurnIdentity } from '../turn-identity';
import { auditValidationFailure } from '../validation-audit';

/** Handlers for `access` and `check`. */
export class AccessHandlers {
  constructor(private readonly services: BotServices) {}

  private async reply(ctx: TurnContext, card: AdaptiveCardJson): Promise<void> {
    await sendCard(ctx, card, this.services.log);
  }

  /**
   * `access` alone: the user's own access (anyone), and apart from it their open requests, both of
   * this tenant. `access CLUSTER|REGISTRY`: approvers and auditors, since it lists every grant on the
   * resource, also other people's and outside ones; of another tenant's grants only what the
   * tab's matrix shows (tenant-boundary.ts).
   */
  async access(ctx: TurnContext, identity: TurnIdentity, command: Extract<Command, { verb: 'access' }>): Promise<void> {
    const { inventory, requests, settings } = this.services;
    // Their requests are refused when made (own-tenant.ts): the way on, not a command to ask.
    const otherTenant = isOtherTenant(identity.tenantId, settings.ownTenantId);
    try {
      if (!command.target) {
        // What they hold and what they asked for and is not granted yet: of their tenant only.
        const [report, open] = await Promise.all([
          inventory.forUser(identity.actor, identity.tenantId),
          requests.openRequestsOf(identity.actor, identity.tenantId, OPEN_REQUESTS_SHOWN),
        ]);
        await this.reply(ctx, userAccessCard(report, settings.sandbox, open, otherTenant));
        return;
      }
      if (!(await requests.mayReadAudit(identity.actor))) {
        // Audited like a refused `audit` (the same rule: approvers and auditors), G11; what was
        // asked for as typed, cut to a name's length (the audit scrubs and escapes details).
        await requests.recordRefusal({
          actor: identity.actor,
          tenantId: identity.tenantId,
          action: 'access.refused',
          outcome: 'refused',
          detail: `access ${cutText(command.target, 100)}`,
        });
        const only =
          'Only approvers and auditors can list everything that can pull from a cluster or registry. "@acrbot access" shows your own access, and "@acrbot check CLUSTER REGISTRY" explains one pair.';
        await this.reply(ctx, refusalCard('Approvers and auditors only', only, settings.sandbox));
        return;
      }
      const kind = command.kind ?? guessKind(command.target);
      const registryCard = async (target: string) => {
        return registryAccessCard(await inventory.forRegistry(target, identity.tenantId), settings.sandbox);
      };
      if (kind === 'registry') {
        await this.reply(ctx, await registryCard(command.target));
        return;
      }
      try {
        const report = await inventory.forCluster(command.target, identity.tenantId);
        await this.recordDrift(report.drift, 'access');
        await this.reply(ctx, clusterAccessCard(report, settings.sandbox, otherTenant));
      } catch (err) {
        // A bare name that is no cluster may be a registry, when it can be a registry's name at
        // all: "aks-prd" cannot, and the answer is that nothing has that name, not that it breaks
        // a rule of registry names the user never meant to follow.
        if (kind !== undefined || !isUserFacing(err) || err.code !== 'cluster.notFound') throw err;
        // A target that cannot even be a registry's name: a registry lookup would only refuse its form.
        if (!isNameOf('registry', command.target)) throw notFound(command.target, err.hints);
        try {
          await this.reply(ctx, await registryCard(command.target));
        } catch (second) {
          if (!isUserFacing(second) || second.code !== 'registry.notFound') throw second;
          throw notFound(command.target, [...err.hints, ...second.hints]);
        }
      }
    } catch (err) {
      await this.refused(ctx, identity, err);
    }
  }

  /** `check CLUSTER REGISTRY`: anyone may ask why their cluster can or cannot pull. */
  async check(ctx: TurnContext, identity: TurnIdentity, command: Extract<Command, { verb: 'check' }>): Promise<void> {
    const { inventory, settings } = this.services;
    if (!command.cluster || !command.registry) {
      await this.reply(
        ctx,
        messageCard({
          title: 'Which cluster and registry?',
          text: 'Name both, e.g. "@acrbot check aks-prod contosoacr".',
          tone: 'error',
          sandbox: settings.sandbox,
        }),
      );
      return;
    }
    try {
      // Another tenant's grants as the matrix shows them (tenant-boundary.ts): `check` is anyone's.
      // The asker too: only a grant's requester is told to extend it, and nobody of another
      // tenant than acrbot's own, whose extensions are refused (own-tenant.ts).
      const diagnosis = await inventory.check(
        command.cluster,
        command.registry,
        identity.tenantId,
        identity.actor.objectId,
        isOtherTenant(identity.tenantId, settings.ownTenantId),
      );
      await this.recordDrift(diagnosis.drift, 'check');
      await this.reply(ctx, checkCard(diagnosis, settings.sandbox));
    } catch (err) {
      await this.refused(ctx, identity, err);
    }
  }

  /**
   * The answer to a read that failed. A name that breaks the rules of names (`aks#prod`, 16 KB of
   * text) is audited as `validation.failed` with its code, as in a request (G10, G11); a name
   * that is valid but not found, or Azure failing, is no refusal and is not.
   */
  private async refused(ctx: TurnContext, identity: TurnIdentity, err: unknown): Promise<void> {
    await auditValidationFailure(this.services.requests, identity, err);
    await this.reply(ctx, errorCardFor(this.services, err));
  }

  /** Drift seen while answering is recorded like the sweeper would (never re-created). */
  private async recordDrift(findings: DriftFinding[], by: DriftNoticedBy): Promise<void> {
    if (findings.length === 0) return;
    try {
      await this.services.drift.record(findings, by);
    } catch (err) {
      // The answer still goes out; the drift job records it on its next run.
      this.services.log.error({ err }, 'recording drift seen by access/check failed');
    }
  }
}

/** The answer to `access NAME` when neither lookup finds it. */
function notFound(target: string, hints: readonly string[]): UserFacingError {
  return new UserFacingError(
    'access.notFound',
    `Neither a cluster nor a registry named ${cutText(target, 60)} was found in the subscriptions acrbot can see.`,
    hints,
  );
}

/**
 * An ARM id says what it is; so does a registry's login server (`contosoacr.azurecr.io`, also
 * with `https://` and an image path, which would otherwise read as `group/name`), even a
 * malformed one (`bad_x.azurecr.io`): refused by the registry's rules, which say what a login
 * server may be, not by a cluster's; `group/name` is a cluster; a bare name is decided by lookup.
 */
function guessKind(target: string): 'cluster' | 'registry' | undefined {
  const id = parseResourceId(target);
  if (id) return id.type.toLowerCase() === 'registries' ? 'registry' : 'cluster';
  if (onLoginServerDomain(target)) return 'registry';
  return target.includes('/') ? 'cluster' : undefined;
}
