/**
 * The Teams bot: checks every turn (channel, tenant, identity), routes commands by verb from
 * a table, and answers card actions. The only class that sees botbuilder's turn model; the
 * work is done by the handlers and the flows.
 */
import { withPauseRefusalWatch } from './pause-refusal-watch';
import {
  type Activity,
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { type Command, parseCommand } from '../domain/command';
import type { AbuseLedger, Clock, DialogStore } from '../domain/ports';
import type { Actor } from '../domain/request';
import { isUserFacing } from '../domain/errors';
import { parseClusterRef, parseRegistryRef } from '../domain/names';
import { isCancelReply, readReasonReply } from '../domain/reason-reply';
import { displayName } from '../domain/text';
import { grantFormCard, messageCard, unreadContentCard } from '../views/message-view';
import type { AdaptiveCardJson } from '../views/card-templates';
import { unknownCommandText } from '../views/unknown-command-text';
import type { BotServices } from './bot-services';
import { DialogRunner } from './dialog-runner';
import { DecisionHandler } from './handlers/decision-handler';
import { type GrantInput, RequestHandler, type SecretInput } from './handlers/request-handler';
import { addressing, type PartialRequest } from './request-dialog';
import { InfoHandlers } from './handlers/info-handlers';
import { LifecycleHandler } from './handlers/lifecycle-handler';
import { PolicyHandler } from './handlers/policy-handler';
import { PauseHandler } from './handlers/pause-handler';
import { AccessHandlers } from './handlers/access-handlers';
import { type CardInvoke, cardInvokeError, isCardInvokeRefusal, readCardInvoke } from './card-invoke';
import { errorCardFor, sendCard } from './turn-cards';
import { activityKeyOf } from './conversation-targets';
import {
  dropNonTextSender,
  isRefusal,
  tenantOf,
  textField,
  turnIdentity,
  type TurnIdentity,
  type TurnRefusal,
} from './turn-identity';
import { addressedText, commandAfterMention, withoutCourtesy } from './message-text';
import { auditBadCardData, auditValidationFailure, setTurnValidationAudit } from './validation-audit';
import { auditLimitRefusal, firstOrUnknown } from '../flows/limit-audit';
import type { GateRefusal } from '../flows/request-gate';
import { unreadContent } from './message-content';
import { addedBack, Welcomes } from './welcomes';
import type { OwnCards } from './own-cards';

const CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The turn's command word after acrbot's mention in the middle of the message (message-text.ts), for "Unknown command". */
const COMMAND_AFTER_MENTION_KEY = Symbol('commandAfterMention');

function cardResponse(card: AdaptiveCardJson): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: CARD_TYPE, value: card as unknown as AdaptiveCardInvokeResponse['value'] };
}

/** A command handler from the verb table. */
type CommandHandler = (ctx: TurnContext, identity: TurnIdentity, command: Command) => Promise<void>;

/**
 * Commands that read Azure, Graph or the store on the user's behalf and change nothing: limited
 * per user (ACRBOT_READS_PER_10_MINUTES, RequestGate.admitRead), since every read is made as
 * acrbot, on the ARM and Graph quotas its principal shares with the grants it runs. Not here:
 * `help` (reads nothing), `grant`, `secret` and `extend` (the request limits), `revoke`, `cancel`,
 * `pause` and `resume` (ending access and stopping it in an incident are never held back by how
 * much someone read), `withdraw` (a decision, as its button is), unknown words (nothing is read),
 * and `pending R-…` and `status R-…` (see {@link countsAsRead}).
 */
const READ_COMMANDS = new Set<Command['verb']>(['check', 'policy', 'access', 'status', 'pending', 'audit']);

/**
 * Whether `command` counts against the per-user read limit. One request by its id (`pending R-…`,
 * `status R-…`) does not: it reads that request from the store and its approvers (the same check
 * an Approve click makes), and `pending R-…` is how the tab's "Open in chat to approve" brings the
 * Approve and Reject card, so an approver working through a queue is never refused at approval
 * time. The `pending` and `status` lists, and the commands that read ARM or Graph, count.
 */
function countsAsRead(command: Command): boolean {
  if ((command.verb === 'pending' || command.verb === 'status') && command.requestId) return false;
  return READ_COMMANDS.has(command.verb);
}

/** acrbot's activity handler. */
export class AcrBot extends ActivityHandler {
  private readonly requestsHandler: RequestHandler;
  private readonly decisions: DecisionHandler;
  private readonly info: InfoHandlers;
  private readonly lifecycle: LifecycleHandler;
  private readonly accessHandlers: AccessHandlers;
  private readonly dialogs: DialogRunner;
  private readonly commandTable: Record<Command['verb'], CommandHandler>;
  private readonly policyHandler: PolicyHandler;
  private readonly pauseHandler: PauseHandler;

  constructor(
    private readonly services: BotServices,
    dialogState: { store: DialogStore; clock: Clock; ttlMs: number },
    /** The store's sightings of Teams activities; welcomes are recorded there too (welcomes.ts). */
    sightings: AbuseLedger,
    /** The forms and reminders acrbot posted, which a click may take over (the messenger records reminders in it). */
    private readonly ownCards: OwnCards,
  ) {
    super();
    this.requestsHandler = new RequestHandler(services, this.ownCards);
    this.decisions = new DecisionHandler(services);
    this.info = new InfoHandlers(services);
    this.lifecycle = new LifecycleHandler(services, this.requestsHandler, this.ownCards);
    this.policyHandler = new PolicyHandler(services);
    this.pauseHandler = new PauseHandler(services);
    this.accessHandlers = new AccessHandlers(services);
    this.dialogs = new DialogRunner(
      dialogState.store,
      dialogState.clock,
      dialogState.ttlMs,
      async (ctx, input, dialogId) => {
        const identity = turnIdentity(ctx, services.settings.allowedTenantIds);
        if (!isRefusal(identity)) await this.requestsHandler.handle(ctx, identity, input, dialogId);
      },
    );
    this.commandTable = {
      help: (ctx, _identity, c) => this.info.help(ctx, (c as Extract<Command, { verb: 'help' }>).about),
      grant: (ctx, identity, c) => this.grant(ctx, identity, c as Extract<Command, { verb: 'grant' }>),
      secret: (ctx, identity, c) => this.secret(ctx, identity, c as Extract<Command, { verb: 'secret' }>),
      status: (ctx, identity, c) =>
        this.info.status(ctx, identity, (c as Extract<Command, { verb: 'status' }>).requestId),
      pending: (ctx, identity, c) =>
        this.info.pending(ctx, identity, (c as Extract<Command, { verb: 'pending' }>).requestId),
      policy: (ctx, identity, c) => {
        const { cluster, registry } = c as Extract<Command, { verb: 'policy' }>;
        return this.policyHandler.show(ctx, identity, cluster, registry);
      },
      audit: (ctx, identity, c) => this.info.audit(ctx, identity, (c as Extract<Command, { verb: 'audit' }>).argument),
      revoke: (ctx, identity, c) =>
        this.lifecycle.revokeCommand(ctx, identity, c as Extract<Command, { verb: 'revoke' }>),
      extend: (ctx, identity, c) =>
        this.lifecycle.extendCommand(ctx, identity, c as Extract<Command, { verb: 'extend' }>),
      access: (ctx, identity, c) =>
        this.accessHandlers.access(ctx, identity, c as Extract<Command, { verb: 'access' }>),
      check: (ctx, identity, c) => this.accessHandlers.check(ctx, identity, c as Extract<Command, { verb: 'check' }>),
      pause: (ctx, identity, c) =>
        this.pauseHandler.pause(ctx, identity, (c as Extract<Command, { verb: 'pause' }>).reason),
      resume: (ctx, identity, c) =>
        this.pauseHandler.resume(ctx, identity, (c as Extract<Command, { verb: 'resume' }>).reason),
      cancel: async (ctx, identity, c) => {
        const { requestId, reason } = c as Extract<Command, { verb: 'cancel' }>;
        if (requestId) return this.lifecycle.cancelRequest(ctx, identity, requestId, reason);
        await ctx.sendActivity(
          (await this.dialogs.cancel(ctx)) ? 'Cancelled; nothing was requested.' : 'There was nothing to cancel.',
        );
      },
      withdraw: (ctx, identity, c) =>
        this.decisions.withdrawCommand(ctx, identity, (c as Extract<Command, { verb: 'withdraw' }>).requestId),
      unknown: async (ctx, _identity, c) => {
        const { word } = c as Extract<Command, { verb: 'unknown' }>;
        await sendCard(
          ctx,
          messageCard({
            title: 'Unknown command',
            text: unknownCommandText(word, ctx.turnState.get(COMMAND_AFTER_MENTION_KEY) as string | undefined),
            tone: 'error',
            sandbox: services.settings.sandbox,
          }),
          this.services.log,
        );
      },
    };

    this.onMessage(async (ctx, next) => {
      await withPauseRefusalWatch(ctx, this.services, () => this.handleMessage(ctx));
      await next();
    });
    const welcomes = new Welcomes(sightings, dialogState.clock);
    this.onMembersAdded(async (ctx, next) => {
      const { membersAdded, recipient, conversation } = ctx.activity;
      // Once per conversation: a redelivered or repeated "acrbot was added" is not a new welcome.
      if (Array.isArray(membersAdded) && membersAdded.some((m) => m?.id === recipient?.id)) {
        this.addedBack(ctx);
        await welcomes.once(String(conversation?.id ?? ''), () => this.info.help(ctx));
      }
      await next();
    });
    this.onInstallationUpdateAdd(async (ctx, next) => {
      this.addedBack(ctx);
      await next();
    });
    // Removed (from a team or chat, or uninstalled): logged, and a re-add welcomed again.
    this.onMembersRemoved(async (ctx, next) => {
      const { membersRemoved, recipient } = ctx.activity;
      if (Array.isArray(membersRemoved) && membersRemoved.some((m) => m?.id === recipient?.id))
        await welcomes.removedFrom(ctx.activity, 'membersRemoved', this.services.log);
      await next();
    });
    this.onInstallationUpdateRemove(async (ctx, next) => {
      await welcomes.removedFrom(ctx.activity, 'installationUpdate', this.services.log);
      await next();
    });
  }

  /** acrbot added: the approvers' cards refused while it was away tried again now, after the turn (welcomes.ts). */
  private addedBack(ctx: TurnContext): void {
    const activity = { conversation: ctx.activity.conversation, channelData: ctx.activity.channelData };
    this.services.background.run('bringing refused approval cards forward', () =>
      addedBack(activity, this.services.announcements),
    );
  }

  /**
   * Audits a turn refused at the door (G2, G11 "every refusal"), once per sender, tenant and
   * kind per window (RequestGate.firstTurnRefusalInWindow); the rest are in the log only. When
   * the store cannot say whether it is the first, it is audited (one entry too many rather than
   * none).
   */
  private async auditTurnRefusal(
    { code, detail }: TurnRefusal,
    actor: Actor,
    tenantId: string,
    activity: Activity,
  ): Promise<void> {
    const first = await firstOrUnknown(
      () => this.services.gate.firstTurnRefusalInWindow(tenantId, actor.objectId, code),
      this.services.log,
      { code },
      'a refused turn',
    );
    if (!first) {
      this.services.log.info({ refusal: code, audited: false }, 'refused turn not audited again in its window');
      return;
    }
    await this.services.requests.recordRefusal({
      actor,
      tenantId,
      action: code,
      outcome: 'refused',
      detail: [`channel=${textField(activity.channelId)?.slice(0, 40) ?? '(not text)'}`, detail]
        .filter(Boolean)
        .join('; '),
    });
  }

  /** Every turn passes the channel/tenant/identity check first (G2); refusals are audited once per sender and window. */
  override async run(ctx: TurnContext): Promise<void> {
    this.services.log.debug(
      {
        activityType: ctx.activity.type,
        name: ctx.activity.name,
        conversationType: ctx.activity.conversation?.conversationType,
      },
      'turn',
    );
    const identity = turnIdentity(ctx, this.services.settings.allowedTenantIds);
    // The refusal below is recorded from the fields as sent (as text, or "unknown").
    const refusedActor = {
      objectId: textField(ctx.activity.from?.aadObjectId) || 'unknown',
      name: displayName(textField(ctx.activity.from?.name), 'unknown'),
    };
    dropNonTextSender(ctx.activity);
    const needsIdentity = ctx.activity.type === 'message' || ctx.activity.type === 'invoke';
    if (needsIdentity && isRefusal(identity)) {
      // Said in the log too: a client that is not Teams (the Bot Framework Emulator, a script)
      // gets no reply to a message, and its developer looks here first. Fixed text, no user input.
      this.services.log.warn(
        { refusal: identity.code, channelId: String(ctx.activity.channelId).slice(0, 40) },
        `turn refused: ${identity.message}`,
      );
      await this.auditTurnRefusal(identity, refusedActor, tenantOf(ctx.activity) ?? 'unknown', ctx.activity);
      if (ctx.activity.type === 'invoke') {
        await ctx.sendActivity({ type: 'invokeResponse', value: cardInvokeError(403, 'Forbidden', identity.message) });
      } else if (identity.code !== 'rejected.channel') {
        await ctx.sendActivity(identity.message);
      }
      return;
    }
    // Anything else (acrbot added to a team, a member joining) from another channel or a tenant
    // not allowed gets nothing either: no help card in a team of a foreign tenant (G2). Not
    // audited: nobody asked acrbot for anything.
    if (isRefusal(identity) && identity.code !== 'rejected.identity') {
      this.services.log.info(
        { refusal: identity.code, activityType: String(ctx.activity.type).slice(0, 40) },
        `activity ignored: ${identity.message}`,
      );
      return;
    }
    await super.run(ctx);
  }

  private async handleMessage(ctx: TurnContext): Promise<void> {
    const identity = turnIdentity(ctx, this.services.settings.allowedTenantIds) as TurnIdentity;
    // The request dialog's answers are validated inside botbuilder-dialogs: audited with this.
    setTurnValidationAudit(ctx, (err) => auditValidationFailure(this.services.requests, identity, err));
    const text = addressedText(ctx.activity);
    // Read before the text is replaced: "Hi team … @acrbot grant …" is answered with where the command goes.
    ctx.turnState.set(COMMAND_AFTER_MENTION_KEY, commandAfterMention(ctx.activity));
    // A question's answer is read from the activity: the same text as a command, not raw tags.
    ctx.activity.text = text;
    // No text, but a card click sent as a message or a file: not "help", not an answer to an open
    // question, and no reason to drop one (read as "help", it stopped the user's request).
    const unread = text ? undefined : unreadContent(ctx.activity);
    if (unread) {
      await sendCard(ctx, unreadContentCard(unread, this.services.settings.sandbox), this.services.log);
      return;
    }
    // A question is open: "cancel this request" or "never mind" stops it, at any question. At the
    // reason question any text is an answer unless it is a command no reason reads like
    // (reason-reply.ts): "stop the prod outage" is a reason, "revoke R-7K2M9QXA no longer needed"
    // is the revoke; "Access denied" or "grant aks-dev contosoacr" is asked again with a hint by
    // the reason prompt (request-dialog.ts), never run or filed.
    const question = await this.dialogs.openQuestion(ctx);
    const reply =
      question === 'reason' ? readReasonReply(text) : question && isCancelReply(text) ? 'cancel' : undefined;
    if (reply === 'cancel') return this.commandTable.cancel(ctx, identity, { verb: 'cancel' });
    if (reply === 'answer' && (await this.dialogs.continue(ctx))) return;
    // "please grant …", "can you grant …" and "hi" alone are the command (help) they ask for. Not
    // an answer's text: the dialog reads that from the activity, as typed.
    const command = safeParse(withoutCourtesy(text));
    if ('error' in command) {
      // A command typed at a question with a mistake in it: the mistake is shown, the question stays open.
      await auditValidationFailure(this.services.requests, identity, command.error);
      await sendCard(ctx, errorCardFor(this.services, command.error, 'Could not read that command'), this.services.log);
      return;
    }
    if (command.verb === 'cancel') {
      await this.commandTable.cancel(ctx, identity, command);
      // Withdrawing a request by its id leaves the questions of the one being filled in open:
      // said, so the next reply is not taken for something else.
      if (command.requestId && question) await ctx.sendActivity(stillWaiting(ctx));
      return;
    }
    // "help" at a question shows the commands and keeps the question open: the next reply still
    // answers it (it dropped the request being filled in, which a first-time requester then lost).
    if (command.verb === 'help' && question) {
      await this.info.help(ctx, command.about);
      await ctx.sendActivity(stillWaiting(ctx));
      return;
    }
    // An answer to the cluster or registry question: text that is not a command.
    if (command.verb === 'unknown' && (await this.dialogs.continue(ctx))) return;
    // Before the questions in progress are dropped: a refused read changes nothing.
    if (countsAsRead(command) && !(await this.readAdmitted(ctx, identity, command.verb))) return;
    const hadQuestion = command.verb !== 'unknown' && (await this.dialogs.cancel(ctx));
    // An answer that starts with "pause" must not stop all new access by accident. "pause" alone
    // only shows the state: it ends the questions as any other command does, said below.
    if (command.verb === 'pause' && command.reason && hadQuestion)
      return this.pauseHandler.pause(ctx, identity, command.reason, true);
    // Any other command ends the questions: said, so the requester does not wait for a card
    // that is never coming.
    if (hadQuestion)
      await ctx.sendActivity(
        command.verb === 'grant' || command.verb === 'secret'
          ? 'The request you were filling in is dropped (nothing was requested); this one starts over.'
          : 'The request you were filling in is stopped; nothing was requested. Type "@acrbot grant" or "@acrbot secret" to start again.',
      );
    await this.commandTable[command.verb](ctx, identity, command);
  }

  /**
   * Whether the per-user limit on read commands admits `verb` now; otherwise the refusal is
   * answered (the gate's sentence: how many, when to try again) and audited once per window.
   */
  private async readAdmitted(ctx: TurnContext, identity: TurnIdentity, verb: Command['verb']): Promise<boolean> {
    let refusal: GateRefusal | undefined;
    try {
      refusal = await this.services.gate.admitRead(
        identity.actor,
        activityKeyOf(ctx.activity.conversation.id, ctx.activity.id),
      );
    } catch (err) {
      // Fail open: the read limit guards acrbot's ARM and Graph quotas against load; it is no
      // safety property (a read changes nothing and shows only what the person may see anyway).
      // A counter that cannot be reached must not turn every read into "something went wrong";
      // logged once per read, so that reads going uncounted are seen.
      this.services.log.error({ err, command: verb }, 'the read limit could not be checked; the read is answered');
      return true;
    }
    if (!refusal) return true;
    await auditLimitRefusal(this.services, identity, refusal.code, `command=${verb}`);
    await sendCard(
      ctx,
      messageCard({
        title: 'Too many read commands',
        text: refusal.message,
        tone: 'error',
        sandbox: this.services.settings.sandbox,
      }),
      this.services.log,
    );
    return false;
  }

  private async grant(
    ctx: TurnContext,
    identity: TurnIdentity,
    command: Extract<Command, { verb: 'grant' }>,
  ): Promise<void> {
    // The form has no term: with --for given, the questions ask for the rest and keep it.
    if (!command.cluster && !command.registry && command.duration === undefined) {
      // Another tenant's user, or new access paused: refused now, not after the form is filled in.
      try {
        await this.services.requests.assertOpen(identity);
      } catch (err) {
        await sendCard(ctx, errorCardFor(this.services, err, 'Could not open the form'), this.services.log);
        return;
      }
      const sent = await sendCard(ctx, grantFormCard({ sandbox: this.services.settings.sandbox }), this.services.log);
      // Its submit may replace it with the plan card only because acrbot remembers posting it (own-cards.ts).
      await this.ownCards.remember('grantForm', ctx.activity.conversation.id, sent?.id);
      return;
    }
    await this.request(ctx, identity, {
      cluster: command.cluster,
      registry: command.registry,
      reason: command.reason,
      duration: command.duration,
      ...(command.breakGlass && { breakGlass: true }),
    });
  }

  private async secret(
    ctx: TurnContext,
    identity: TurnIdentity,
    command: Extract<Command, { verb: 'secret' }>,
  ): Promise<void> {
    await this.request(ctx, identity, {
      cluster: command.cluster,
      registry: command.registry,
      reason: command.reason,
      options: command.options,
    });
  }

  /** A grant or secret request: asked for what is missing first (the dialog keeps what it asks, `options`, `--for` and `--break-glass`). */
  private async request(ctx: TurnContext, identity: TurnIdentity, input: PartialRequest): Promise<void> {
    if (!input.cluster || !input.registry || !input.reason) {
      // The dialog takes what the command already gave without asking again, and keeps it in the
      // dialog store until it ends or expires: a cluster or registry that can never be a name
      // (e.g. 16 KB of text) is refused now, and nothing is stored for it.
      try {
        // Another tenant's user, or new access paused: refused before any question (the request
        // itself checks again when it is made).
        await this.services.requests.assertOpen(identity);
        if (input.cluster) parseClusterRef(input.cluster);
        if (input.registry) parseRegistryRef(input.registry);
        // `--for` and a secret's options are checked before the questions, not after the user
        // answered them all.
        if (input.duration !== undefined) this.services.requests.accessTerm(input.duration);
        if (input.options) {
          const term = this.services.requests.accessTerm(input.options.expires);
          this.services.secretPlanner.checkOptions(input.options, this.services.requests.credentialLifetimeMs(term));
        }
      } catch (err) {
        if (!isUserFacing(err)) throw err;
        // A bad name, term or option is audited as when planning finds it (G10); assertOpen's
        // refusals (another tenant, a pause) audit themselves.
        await auditValidationFailure(this.services.requests, identity, err);
        await sendCard(ctx, errorCardFor(this.services, err, 'Could not read that request'), this.services.log);
        return;
      }
      await this.dialogs.start(ctx, input);
      return;
    }
    await this.requestsHandler.handle(ctx, identity, input as GrantInput | SecretInput);
  }

  /**
   * Invokes. `adaptiveCard/action` is checked here (card-invoke.ts) rather than by botbuilder,
   * which threw on a click without an `action` (answered 501) and quoted an unknown action type
   * back; a refused click is audited like any card whose data is not valid (G11). Every other
   * name is botbuilder's: 501 for those acrbot does not handle (task/fetch, composeExtension/…).
   */
  protected override async onInvokeActivity(ctx: TurnContext): Promise<InvokeResponse> {
    if (ctx.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(ctx);
    const click = readCardInvoke(ctx.activity.value);
    if (isCardInvokeRefusal(click)) {
      const identity = turnIdentity(ctx, this.services.settings.allowedTenantIds) as TurnIdentity;
      await this.services.requests.recordRefusal({
        actor: identity.actor,
        tenantId: identity.tenantId,
        action: 'validation.failed',
        outcome: click.outcome,
        detail: `verb=${click.verb ?? '(not a word)'}`,
      });
      return click.response;
    }
    const response = await this.cardAction(ctx, click);
    return { status: response.statusCode, body: response };
  }

  /** A checked card click: approve, reject, withdraw an approval, refresh, cancel, the grant form, revoke, resume, extend. */
  private async cardAction(ctx: TurnContext, { verb, data }: CardInvoke): Promise<AdaptiveCardInvokeResponse> {
    const identity = turnIdentity(ctx, this.services.settings.allowedTenantIds) as TurnIdentity;
    if (verb === 'grantForm') return cardResponse(await this.requestsHandler.submitForm(ctx, identity, data));
    if (verb === 'revokeConfirm') return cardResponse(await this.lifecycle.confirmRevoke(identity, data));
    if (verb === 'resumeConfirm') return cardResponse(await this.pauseHandler.confirmResume(ctx, identity, data));
    if (verb === 'extend') return cardResponse(await this.lifecycle.extendClick(ctx, identity, data));
    const parsed = this.decisions.parse(data);
    if (!parsed) {
      await auditBadCardData(this.services.requests, identity, verb);
      return cardResponse(
        messageCard({
          title: 'This card is not valid',
          text: 'The card did not carry a valid request id; open the request with "@acrbot status REQUEST-ID" instead.',
          tone: 'error',
          sandbox: this.services.settings.sandbox,
        }),
      );
    }
    if (verb === 'refresh') return cardResponse(await this.decisions.refresh(identity, parsed.requestId));
    if (verb === 'cancel') return cardResponse(await this.decisions.cancel(identity, parsed.requestId));
    if (verb === 'withdrawApproval') return cardResponse(await this.decisions.withdraw(identity, parsed));
    return cardResponse(await this.decisions.decide(identity, parsed, verb === 'approve'));
  }
}

/** Said when a question stays open after another command: the next reply still answers it. */
function stillWaiting(ctx: TurnContext): string {
  const { cancel, reply } = addressing(ctx);
  return `The request you were filling in still waits for your answer (type "${cancel}" to stop it).${reply}`;
}

function safeParse(text: string): Command | (Command & { error: unknown }) {
  try {
    return parseCommand(text);
  } catch (err) {
    if (isUserFacing(err)) return { verb: 'unknown', word: '', error: err } as Command & { error: unknown };
    throw err;
  }
}
