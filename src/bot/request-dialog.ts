/**
 * The question-and-answer for a grant or secret request with arguments missing
 * (botbuilder-dialogs): one question at a time, each answer validated with the same rules as
 * the inline command and re-asked with the reason when wrong. `cancel` ends it. A secret
 * request carries its options through; one started with no names is asked its namespace too
 * (unless `--namespace` was typed), which the card would otherwise name `default` unasked.
 * Names given in the wrong order are answered as the one-line command answers them.
 */
import { type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  type PromptValidatorContext,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { isUserFacing } from '../domain/errors';
import { checkReason } from '../domain/text';
import type { GivenAnswers } from '../domain/asked-next';
import { checkNameAnswer, checkReasonAnswer, type RequestFlow } from '../domain/reason-reply';
import type { SecretCommandOptions } from '../domain/command';
import { checkSecretOptions, SECRET_DEFAULTS } from '../domain/secret-options';
import { registryForCluster, swappedNames } from '../domain/swapped-names';
import { errorText } from '../views/request-view';
import { ASKING_KEY } from './dialog-runner';
import { auditInTurn } from './validation-audit';
import type { GrantInput, SecretInput } from './handlers/request-handler';

const CLUSTER_PROMPT = 'clusterPrompt';
const REGISTRY_PROMPT = 'registryPrompt';
const NAMESPACE_PROMPT = 'namespacePrompt';
const REASON_PROMPT = 'reasonPrompt';
const REQUEST_WATERFALL = 'requestWaterfall';

/** Dialog id. */
export const REQUEST_DIALOG_ID = 'requestDialog';

/** What the dialog starts with (anything already given inline); `options` marks a secret request. */
export type PartialRequest = Partial<GrantInput> & { options?: SecretCommandOptions };

/** Which request the dialog fills in, as passed to its prompts (`validations`); `cluster`: the one answered. */
type PromptFacts = { flow: RequestFlow; cluster?: string; given?: GivenAnswers };

/**
 * How to answer acrbot's questions in the turn's conversation. In a channel or group chat Teams
 * delivers a message to acrbot only when it @mentions acrbot (the manifest asks for no
 * resource-specific consent to read every message): a plain reply never arrives, and the
 * question silently waits out ACRBOT_DIALOG_TTL. There every question and re-ask says so, and
 * "cancel" is written "@acrbot cancel". A 1:1 chat (or a conversation of no known type, as the
 * emulator sends) gets every message: nothing to add.
 */
export interface Addressing {
  /** What to type to stop the questions. */
  cancel: string;
  /** Appended to each question and re-ask; empty in a 1:1 chat. */
  reply: string;
}

/** The {@link Addressing} of the turn's conversation. */
export function addressing(ctx: TurnContext): Addressing {
  const type = ctx.activity.conversation?.conversationType;
  if (type === undefined || type === 'personal') return { cancel: 'cancel', reply: '' };
  return {
    cancel: '@acrbot cancel',
    // A channel message and its replies form a thread; a group chat has none.
    reply: type === 'channel' ? ' Reply in this thread starting with @acrbot.' : ' Reply starting with @acrbot.',
  };
}

function validator(check: (text: string, flow: RequestFlow, cancel: string, facts?: PromptFacts) => unknown) {
  return async (prompt: PromptValidatorContext<string>): Promise<boolean> => {
    const text = prompt.recognized.value?.trim() ?? '';
    const facts = prompt.options.validations as PromptFacts | undefined;
    const flow = facts?.flow ?? 'grant';
    const { cancel, reply } = addressing(prompt.context);
    try {
      check(text, flow, cancel, facts);
      return true;
    } catch (err) {
      // Refused like the same name or reason typed inline: audited (G10), then asked again.
      await auditInTurn(prompt.context, err);
      // Re-ask with the reason, not a bare retry. The reason quotes the answer, which is user
      // text in acrbot's voice: neutralised and sent as plain text (no link, image or mention).
      // Said once: a refusal that already names how to cancel gets no second mention of it.
      const refusal = isUserFacing(err) ? errorText(err.message) : undefined;
      const said =
        refusal === undefined
          ? `That answer was not understood; try again or type "${cancel}".`
          : refusal.includes(`"${cancel}"`)
            ? refusal
            : `${refusal} (type "${cancel}" to stop)`;
      await prompt.context.sendActivity({ type: 'message', textFormat: 'plain', text: `${said}${reply}` });
      return false;
    }
  };
}

/** Collects cluster, registry and reason, then calls `onComplete`. */
export class RequestDialog extends ComponentDialog {
  constructor(onComplete: (ctx: TurnContext, input: GrantInput | SecretInput) => Promise<void>) {
    super(REQUEST_DIALOG_ID);
    // A whole line pasted as the name is refused as more than one name, with the name to type.
    // A registry given first (a login server at the cluster question, a cluster-like name at the
    // registry's after a name either could be) is answered as `grant REGISTRY CLUSTER` typed on
    // one line is (swapped-names.ts): "Cluster first", nothing taken.
    // A re-ask names what is asked next, not what the command already gave (`grant REGISTRY`).
    const clusterAnswer = validator((t, _flow, _cancel, facts) => {
      const registry = registryForCluster(t, facts?.given);
      if (registry) throw registry;
      checkNameAnswer('cluster', t, facts?.given);
    });
    const registryAnswer = validator((t, flow, _cancel, facts) => {
      const swapped = facts?.cluster ? swappedNames(flow, facts.cluster, t) : undefined;
      if (swapped) throw swapped;
      checkNameAnswer('registry', t, facts?.given);
    });
    this.addDialog(new TextPrompt(CLUSTER_PROMPT, clusterAnswer));
    this.addDialog(new TextPrompt(REGISTRY_PROMPT, registryAnswer));
    // By --namespace's own rule (and no other option's: only the namespace is checked here).
    const namespaceAnswer = validator((t) => checkSecretOptions({ namespace: t }, Number.MAX_SAFE_INTEGER));
    this.addDialog(new TextPrompt(NAMESPACE_PROMPT, namespaceAnswer));
    this.addDialog(
      new TextPrompt(
        REASON_PROMPT,
        validator((t, flow, cancel) => {
          // Before the length: "--for 2h" is refused as an option and "Access denied" as a
          // look-alike of a command (with how to run it), not as short reasons.
          checkReasonAnswer(t, flow, cancel);
          return checkReason(t);
        }),
      ),
    );
    const ask =
      (key: Exclude<keyof GrantInput, 'breakGlass'>, promptId: string, question: (how: Addressing) => string) =>
      async (step: WaterfallStepContext) => {
        const values = step.options as PartialRequest;
        if (values[key]) return step.next(values[key]);
        // Which question is open decides how a reply that starts with a command word is read (acr-bot.ts).
        step.context.turnState.set(ASKING_KEY, key);
        // The flow goes to the validator: its hints name the command being filled in; the
        // registry question's checks the answer against the cluster's.
        const cluster = (step.values as PartialRequest).cluster;
        const given = { registry: Boolean(values.registry), reason: Boolean(values.reason) };
        const facts: PromptFacts = { flow: values.options ? 'secret' : 'grant', ...(cluster && { cluster }), given };
        const how = addressing(step.context);
        return step.prompt(promptId, { prompt: `${question(how)}${how.reply}`, validations: facts });
      };
    const keep = (key: Exclude<keyof GrantInput, 'breakGlass'>) => (step: WaterfallStepContext) => {
      (step.values as PartialRequest)[key] = String(step.result);
    };
    this.addDialog(
      new WaterfallDialog(REQUEST_WATERFALL, [
        async (step) => {
          // What the command gave besides the three answers travels with them, or the request
          // filed at the end would silently fall back to the defaults (e.g. 30 days for `--for 2h`).
          const given = step.options as PartialRequest;
          const values = step.values as PartialRequest;
          if (given.options) values.options = given.options;
          if (given.duration !== undefined) values.duration = given.duration;
          if (given.breakGlass) values.breakGlass = true;
          // A registry typed alone (`grant contosoacr.azurecr.io`, command.ts) is named, so the
          // question says it was taken: a valid name by form (acr-bot.ts checked it), made inert.
          const to = given.registry && !given.cluster ? ` to ${errorText(given.registry)}` : '';
          return ask(
            'cluster',
            CLUSTER_PROMPT,
            ({ cancel }) =>
              `Which cluster needs pull access${to}? (name, resourceGroup/name or resource id; "${cancel}" to stop)`,
          )(step);
        },
        async (step) => {
          keep('cluster')(step);
          return ask(
            'registry',
            REGISTRY_PROMPT,
            () => 'Which registry should it pull from? (name or resource id)',
          )(step);
        },
        async (step) => {
          keep('registry')(step);
          // Asked of a secret started with no names only: one typed on a line keeps `default`
          // unless --namespace says otherwise, as the usage tells.
          const given = step.options as PartialRequest;
          if (!given.options || given.options.namespace !== undefined || given.cluster || given.registry)
            return step.next();
          step.context.turnState.set(ASKING_KEY, 'namespace');
          const how = addressing(step.context);
          const facts: PromptFacts = { flow: 'secret' };
          return step.prompt(NAMESPACE_PROMPT, {
            prompt: `Which Kubernetes namespace should the pull secret go in? (the namespace of the pods that pull; "${SECRET_DEFAULTS.namespace}" for the default one)${how.reply}`,
            validations: facts,
          });
        },
        async (step) => {
          if (typeof step.result === 'string') {
            const values = step.values as PartialRequest;
            values.options = { ...values.options, namespace: step.result.trim() };
          }
          return ask(
            'reason',
            REASON_PROMPT,
            () => 'Why is the access needed? (this goes to the approver and the audit log)',
          )(step);
        },
        async (step) => {
          keep('reason')(step);
          await onComplete(step.context, step.values as GrantInput | SecretInput);
          return step.endDialog();
        },
      ]),
    );
    this.initialDialogId = REQUEST_WATERFALL;
  }
}
