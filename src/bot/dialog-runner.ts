/**
 * Runs the request dialog inside a turn. Its state belongs to one user in one conversation
 * (`conversationId|userObjectId`) and lives in the {@link DialogStore} with a TTL
 * (ACRBOT_DIALOG_TTL): a bystander's reply in a channel thread cannot answer someone else's
 * question or become their request, and an abandoned dialog expires and is purged instead of
 * staying in memory (G16). botbuilder-dialogs (with its text recognizers) is loaded only when a
 * dialog is first needed: most turns are commands with all arguments.
 */
import { randomUUID } from 'node:crypto';
import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import type * as Dialogs from 'botbuilder-dialogs';
import type { Clock, DialogStore } from '../domain/ports';
import type * as RequestDialogModule from './request-dialog';
import type { GrantInput, SecretInput } from './handlers/request-handler';

const TURN_KEY = Symbol('acrbot.dialogState');
/** Set for the turn once this user's dialog was looked for: `true` when one is open. */
const LOADED_KEY = Symbol('acrbot.dialogLoaded');

/** Set on a turn that continued its user's open dialog (an answer to one of acrbot's questions). */
const CONTINUED_KEY = Symbol('acrbot.dialogContinued');

/**
 * Whether this turn's message was an answer to one of acrbot's questions rather than a command
 * (pause-refusal-watch.ts: an answer refused for the pause is not repeated as a command to type).
 */
export function continuedADialog(ctx: TurnContext): boolean {
  return ctx.turnState.get(CONTINUED_KEY) === true;
}

/**
 * Turn-state key of the question the dialog asks in this turn (`cluster`, `registry` or
 * `reason`), set by the request dialog when it prompts and kept with the dialog's state.
 */
export const ASKING_KEY = 'acrbot.asking';

/**
 * Turn-state key of the open dialog's id: a random id given when it starts and kept with its
 * state, which names the request the dialog files ({@link DialogCompletion}).
 */
const DIALOG_ID_KEY = Symbol('acrbot.dialogId');

/**
 * What the request dialog hands over once it has every answer. `dialogId` is the same for every
 * turn that continues the same dialog: two messages sent at once to its last question both load
 * it and both complete it (its state is last-writer-wins), so whoever files the request must
 * admit one completion per dialog id, not one per message.
 */
export type DialogCompletion = (
  ctx: TurnContext,
  input: GrantInput | SecretInput,
  dialogId: string | undefined,
) => Promise<void>;

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
    private readonly onComplete: DialogCompletion,
  ) {}

  private get dialogs(): Dialogs.DialogSet {
    if (!this.loaded) {
      const { DialogSet, DialogTurnStatus } = require('botbuilder-dialogs') as typeof Dialogs;
      const { RequestDialog } = require('./request-dialog') as typeof RequestDialogModule;
      const dialogs = new DialogSet(this.accessor);
      dialogs.add(
        new RequestDialog((ctx, input) =>
          this.onComplete(ctx, input, ctx.turnState.get(DIALOG_ID_KEY) as string | undefined),
        ),
      );
      this.loaded = { dialogs, empty: DialogTurnStatus.empty };
    }
    return this.loaded.dialogs;
  }

  /**
   * Loads this user's dialog state into the turn; false when they have none (or it expired).
   * Read from the store once per turn: asking which question is open and then continuing or
   * cancelling the dialog costs one read.
   */
  private async load(ctx: TurnContext): Promise<boolean> {
    const loaded = ctx.turnState.get(LOADED_KEY) as boolean | undefined;
    if (loaded !== undefined) return loaded;
    const key = dialogKey(ctx);
    const record = key ? await this.store.get(key, this.clock.now()) : undefined;
    const state = record?.state as Dialogs.DialogState | undefined;
    const open = Boolean(state?.dialogStack?.length);
    if (open) {
      ctx.turnState.set(TURN_KEY, { value: state });
      const dialogId = (state as { dialogId?: unknown }).dialogId;
      // A dialog saved before ids were kept has none: it completes as before (per message).
      if (typeof dialogId === 'string') ctx.turnState.set(DIALOG_ID_KEY, dialogId);
    }
    ctx.turnState.set(LOADED_KEY, open);
    return open;
  }

  /** The question this user's open dialog waits for an answer to; undefined when none is open. */
  async openQuestion(ctx: TurnContext): Promise<string | undefined> {
    if (!(await this.load(ctx))) return undefined;
    const state = (ctx.turnState.get(TURN_KEY) as { value?: { asking?: unknown } } | undefined)?.value;
    return typeof state?.asking === 'string' ? state.asking : 'unknown';
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
    // The question asked this turn; a re-asked one (a wrong answer) keeps the one asked before.
    const asking = (ctx.turnState.get(ASKING_KEY) as string | undefined) ?? (state as { asking?: string }).asking;
    const dialogId = ctx.turnState.get(DIALOG_ID_KEY) as string | undefined;
    const saved = {
      ...(JSON.parse(JSON.stringify(state)) as Record<string, unknown>),
      ...(asking && { asking }),
      ...(dialogId && { dialogId }),
    };
    await this.store.put({ key, state: saved, expiresAt });
  }

  /** Continues this user's active dialog; true if it consumed the turn. */
  async continue(ctx: TurnContext): Promise<boolean> {
    if (!(await this.load(ctx))) return false;
    ctx.turnState.set(CONTINUED_KEY, true);
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
    ctx.turnState.set(LOADED_KEY, false);
    const key = dialogKey(ctx);
    if (key) await this.store.delete(key);
    return true;
  }

  /** Starts the request dialog with what is already known. */
  async start(ctx: TurnContext, known: RequestDialogModule.PartialRequest): Promise<void> {
    ctx.turnState.set(DIALOG_ID_KEY, randomUUID());
    const dc = await this.dialogs.createContext(ctx);
    await dc.beginDialog((require('./request-dialog') as typeof RequestDialogModule).REQUEST_DIALOG_ID, known);
    await this.save(ctx);
  }

  /** Deletes expired dialogs (the scheduler's sweep calls it); returns how many. */
  purgeExpired(): Promise<number> {
    return this.store.purgeExpired(this.clock.now());
  }
}
