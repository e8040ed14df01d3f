/**
 * Runs the request dialog inside a turn. Its state belongs to one user in one conversation
 * (`conversationId|userObjectId`) and lives in the {@link DialogStore} with a TTL
 * (ACRBOT_DIALOG_TTL): a bystander's reply in a channel thread cannot answer someone else's
 * question or become their request, and an abandoned dialog expires and is purged instead of
 * staying in memory (G16). botbuilder-dialogs (with its text recognizers) is loaded only when a
 * dialog is first needed: most turns are commands with all arguments.
 */
import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import type * as Dialogs from 'botbuilder-dialogs';
import type { Clock, DialogStore } from '../domain/ports';
import type * as RequestDialogModule from './request-dialog';
import type { GrantInput, SecretInput } from './handlers/request-handler';

const TURN_KEY = Symbol('acrbot.dialogState');

/** The owner key of a turn's dialog, or undefined when the sender has no Entra id. */
export function dialogKey(ctx: TurnContext): string | undefined {
  const user = ctx.activity.from?.aadObjectId;
  const conversation = ctx.activity.conversation?.id;
  if (!user || !conversation) return undefined;
  return `${String(conversation).slice(0, 300)}|${String(user).slice(0, 100)}`;
}

/** botbuilder-dialogs' state accessor over the turn cache; {@link DialogRunner} loads and saves it. */
class TurnStateAccessor implements StatePropertyAccessor<Dialogs.DialogState> {
  async get(ctx: TurnContext, defaultValue?: Dialogs.DialogState): Promise<Dialogs.DialogState> {
    const cached = ctx.turnState.get(TURN_KEY) as { value?: Dialogs.DialogState } | undefined;
    if (cached?.value) return cached.value;
    const value = defaultValue ?? { dialogStack: [] };
    ctx.turnState.set(TURN_KEY, { value });
    return value;
  }
  async set(ctx: TurnContext, value: Dialogs.DialogState): Promise<void> {
    ctx.turnState.set(TURN_KEY, { value });
  }
  async delete(ctx: TurnContext): Promise<void> {
    ctx.turnState.set(TURN_KEY, {});
  }
}

/** Starts, continues and cancels the request dialog of the turn's user in the turn's conversation. */
export class DialogRunner {
  private loaded?: { dialogs: Dialogs.DialogSet; empty: Dialogs.DialogTurnStatus };
  private readonly accessor = new TurnStateAccessor();

  constructor(
    private readonly store: DialogStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly onComplete: (ctx: TurnContext, input: GrantInput | SecretInput) => Promise<void>,
  ) {}

  private get dialogs(): Dialogs.DialogSet {
    if (!this.loaded) {
      const { DialogSet, DialogTurnStatus } = require('botbuilder-dialogs') as typeof Dialogs;
      const { RequestDialog } = require('./request-dialog') as typeof RequestDialogModule;
      const dialogs = new DialogSet(this.accessor);
      dialogs.add(new RequestDialog(this.onComplete));
      this.loaded = { dialogs, empty: DialogTurnStatus.empty };
    }
    return this.loaded.dialogs;
  }

  /** Loads this user's dialog state into the turn; false when they have none (or it expired). */
  private async load(ctx: TurnContext): Promise<boolean> {
    const key = dialogKey(ctx);
    if (!key) return false;
    const record = await this.store.get(key, this.clock.now());
    const state = record?.state as Dialogs.DialogState | undefined;
    if (!state?.dialogStack?.length) return false;
    ctx.turnState.set(TURN_KEY, { value: state });
    return true;
  }

  /** Saves the turn's dialog state with a fresh TTL, or deletes it once no dialog is left. */
  private async save(ctx: TurnContext): Promise<void> {
    const key = dialogKey(ctx);
    if (!key) return;
    const state = (ctx.turnState.get(TURN_KEY) as { value?: Dialogs.DialogState } | undefined)?.value;
    if (!state?.dialogStack?.length) {
      await this.store.delete(key);
      return;
    }
    const expiresAt = new Date(this.clock.now().getTime() + this.ttlMs).toISOString();
    await this.store.put({ key, state: JSON.parse(JSON.stringify(state)) as Record<string, unknown>, expiresAt });
  }

  /** Continues this user's active dialog; true if it consumed the turn. */
  async continue(ctx: TurnContext): Promise<boolean> {
    if (!(await this.load(ctx))) return false;
    const dc = await this.dialogs.createContext(ctx);
    const result = await dc.continueDialog();
    await this.save(ctx);
    return result.status !== this.loaded!.empty;
  }

  /** Cancels this user's active dialog; true if one was active. */
  async cancel(ctx: TurnContext): Promise<boolean> {
    if (!(await this.load(ctx))) return false;
    const dc = await this.dialogs.createContext(ctx);
    await dc.cancelAllDialogs();
    const key = dialogKey(ctx);
    if (key) await this.store.delete(key);
    return true;
  }

  /** Starts the request dialog with what is already known. */
  async start(ctx: TurnContext, known: RequestDialogModule.PartialRequest): Promise<void> {
    const dc = await this.dialogs.createContext(ctx);
    await dc.beginDialog((require('./request-dialog') as typeof RequestDialogModule).REQUEST_DIALOG_ID, known);
    await this.save(ctx);
  }

  /** Deletes expired dialogs (the scheduler's sweep calls it); returns how many. */
  purgeExpired(): Promise<number> {
    return this.store.purgeExpired(this.clock.now());
  }
}
