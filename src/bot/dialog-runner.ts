/**
 * Runs the request dialog inside a turn. botbuilder-dialogs (with its text recognizers) is
 * loaded only when a dialog is first needed: most turns are commands with all arguments.
 */
import type { ConversationState, StatePropertyAccessor, TurnContext } from 'botbuilder';
import type * as Dialogs from 'botbuilder-dialogs';
import type * as RequestDialogModule from './request-dialog';
import type { GrantInput, SecretInput } from './handlers/request-handler';

/**
 * Conversation state exists only while a dialog is active: every channel thread is its own
 * conversation, so keeping an empty state per thread would grow memory with every request.
 */
export class DialogRunner {
  private loaded?: { dialogs: Dialogs.DialogSet; empty: Dialogs.DialogTurnStatus };
  private readonly state: StatePropertyAccessor<Dialogs.DialogState>;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly onComplete: (ctx: TurnContext, input: GrantInput | SecretInput) => Promise<void>,
  ) {
    this.state = conversationState.createProperty<Dialogs.DialogState>('dialogState');
  }

  private get dialogs(): Dialogs.DialogSet {
    if (!this.loaded) {
      const { DialogSet, DialogTurnStatus } = require('botbuilder-dialogs') as typeof Dialogs;
      const { RequestDialog } = require('./request-dialog') as typeof RequestDialogModule;
      const dialogs = new DialogSet(this.state);
      dialogs.add(new RequestDialog(this.onComplete));
      this.loaded = { dialogs, empty: DialogTurnStatus.empty };
    }
    return this.loaded.dialogs;
  }

  private async hasDialog(ctx: TurnContext): Promise<boolean> {
    const state = await this.state.get(ctx);
    return Boolean(state?.dialogStack?.length);
  }

  /** Drops the conversation's state once no dialog is left. */
  private async forgetIfDone(ctx: TurnContext): Promise<void> {
    if (!(await this.hasDialog(ctx))) await this.conversationState.delete(ctx);
  }

  /** Continues an active dialog; true if one consumed the turn. */
  async continue(ctx: TurnContext): Promise<boolean> {
    if (!(await this.hasDialog(ctx))) return false;
    const dc = await this.dialogs.createContext(ctx);
    const result = await dc.continueDialog();
    await this.forgetIfDone(ctx);
    return result.status !== this.loaded!.empty;
  }

  /** Cancels any active dialog; true if one was active. */
  async cancel(ctx: TurnContext): Promise<boolean> {
    if (!(await this.hasDialog(ctx))) return false;
    const dc = await this.dialogs.createContext(ctx);
    await dc.cancelAllDialogs();
    await this.conversationState.delete(ctx);
    return true;
  }

  /** Starts the request dialog with what is already known. */
  async start(ctx: TurnContext, known: RequestDialogModule.PartialRequest): Promise<void> {
    const dc = await this.dialogs.createContext(ctx);
    await dc.beginDialog((require('./request-dialog') as typeof RequestDialogModule).REQUEST_DIALOG_ID, known);
    await this.forgetIfDone(ctx);
  }
}
