/**
 * People refused while new access was paused, told in the conversation where they were refused
 * once it is lifted (docs/operations.md, "Pause new access"): otherwise they learn of the resume
 * only by asking again at random, as it is posted only where approvers work.
 *
 * Each is one scheduled job (`access.reopened:<object id>`) in the store every instance shares:
 * one per person (the first refusal's conversation and command), at most {@link MAX_WAITERS}, run
 * once by one instance under the job's lease, and kept across restarts. The resume brings them
 * forward; a job that comes due while new access is still (or again) paused waits another
 * {@link RECHECK_MS}, so a resume whose bringing forward was lost (an instance stopped) still
 * tells them within that time.
 */
import type { Clock, PauseStore, ScheduledJob, ScheduleStore } from '../domain/ports';
import { looksLikeSecret } from '../domain/text';
import {
  currentCorrelationId,
  currentWorkMarked,
  markCurrentWork,
  withCorrelation,
} from '../observability/correlation';
import type { Logger } from '../observability/logger';

/** The job kind of one person to tell. */
export const REOPENED_KIND = 'access.reopened' as const;
const PREFIX = `${REOPENED_KIND}:`;
/** People recorded at most: past them, a refused requester is not told (logged, never an error). */
export const MAX_WAITERS = 200;
/** How long a recorded person waits before checking again whether new access is open. */
export const RECHECK_MS = 60 * 60 * 1000;
/** Longest command kept to repeat (a request's command; longer ones are not repeated). */
const MAX_COMMAND_LENGTH = 600;

/** Sends the message that new access is open again, with the command to ask again when there is one. */
export type TellReopened = (conversation: unknown, command: string | undefined) => Promise<void>;

/** Someone refused while paused: who, where (the bot's conversation reference) and what they typed. */
export interface PauseWaiter {
  objectId: string;
  conversation: unknown;
  /** The text of the command refused, as typed after the mention. */
  typed?: string;
}

/**
 * What recording a person came to ({@link PauseWaiters.note}): `noted` (recorded now, with this
 * conversation), `knownHere` (recorded earlier with this same conversation, the one told), `known`
 * (recorded earlier with another, or by a refusal racing this one), `full` (not recorded).
 */
export type Noted = 'noted' | 'knownHere' | 'known' | 'full';

/** The mark of work in which a request was refused for the pause (correlation.ts). */
const PAUSE_REFUSED = 'pause.refused';

/**
 * Runs `work` (one chat turn) and answers whether a request in it was refused for the pause. In
 * a correlation scope of its own, with the turn's correlation id (its log lines keep it): the
 * process's one AsyncLocalStorage carries the mark, as a second storage would cost every promise.
 */
export async function watchPauseRefusal(work: () => Promise<void>): Promise<boolean> {
  return withCorrelation(async () => {
    await work();
    return pauseRefusalNoted();
  }, currentCorrelationId());
}

/**
 * Marks the chat turn running, if any, as refused for the pause (RequestCreation.assertOpen): the
 * turn's requester is recorded to be told once it is lifted. Work no watch opened (the tab, a job)
 * marks a scope nobody reads.
 */
export function notePauseRefusal(): void {
  markCurrentWork(PAUSE_REFUSED);
}

/**
 * Whether the chat turn running was refused for the pause so far ({@link notePauseRefusal}): read
 * by the watch ({@link watchPauseRefusal}) as the turn's answers go out, inside its work.
 */
export function pauseRefusalNoted(): boolean {
  return currentWorkMarked(PAUSE_REFUSED);
}

/**
 * The command to ask again: what was typed, when it was a request's command (`grant`, `secret`,
 * `extend`); not an answer to one of acrbot's questions, which is no command.
 */
export function askAgainTyped(typed: string | undefined): string | undefined {
  const text = typed?.trim().replace(/\s+/g, ' ');
  if (!text || text.length > MAX_COMMAND_LENGTH || !/^(grant|secret|extend)\b/i.test(text)) return undefined;
  // A refusal for the pause may come before the reason is checked: text that looks like a
  // credential is neither kept in the job (note() keeps only what this answers) nor posted again.
  if (looksLikeSecret(text)) return undefined;
  return `@acrbot ${text}`;
}

/**
 * Whether two conversation references (as the bot keeps them) name the same conversation: the
 * same conversation id (a channel thread's includes its first message, so another thread is
 * another conversation). Without an id on either, they are not known to be the same.
 */
function sameConversation(a: unknown, b: unknown): boolean {
  const id = conversationIdOf(a);
  return id !== undefined && id === conversationIdOf(b);
}

/** The conversation id of a conversation reference, when it has one. */
function conversationIdOf(reference: unknown): string | undefined {
  const id = (reference as { conversation?: { id?: unknown } } | null | undefined)?.conversation?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Records people refused while paused, and tells each once new access is open again. */
export class PauseWaiters {
  constructor(
    private readonly jobs: Pick<ScheduleStore, 'putIfAbsent' | 'put' | 'putIfUnchanged' | 'withIdPrefix'>,
    private readonly pauses: Pick<PauseStore, 'current'>,
    private readonly clock: Clock,
    private readonly log: Logger,
    /**
     * How a person is told (the composition root's, bot/pause-refusal-watch.ts `tellReopened`).
     * Without it (a process that cannot post in Teams) a job that comes due while new access is
     * open fails, and the scheduler retries it as any failed job: kept for an instance that can tell.
     */
    private readonly tell?: TellReopened,
  ) {}

  /**
   * Records `waiter` to be told: `knownHere` or `known` when they already are (their first
   * refusal is the one repeated, in its conversation: `knownHere` when that is `waiter`'s), `full`
   * past {@link MAX_WAITERS} (not recorded; racing refusals may pass it by a few).
   */
  async note(waiter: PauseWaiter): Promise<Noted> {
    const id = `${PREFIX}${waiter.objectId.toLowerCase()}`;
    const waiting = await this.jobs.withIdPrefix(PREFIX, MAX_WAITERS);
    const recorded = waiting.find((job) => job.id === id);
    if (recorded) return sameConversation(recorded.payload?.conversation, waiter.conversation) ? 'knownHere' : 'known';
    if (waiting.length >= MAX_WAITERS) {
      this.log.info(
        { requester: waiter.objectId, recorded: MAX_WAITERS },
        'a requester refused during the pause is not recorded to be told of the resume: enough are already',
      );
      return 'full';
    }
    const command = askAgainTyped(waiter.typed);
    const created = await this.jobs.putIfAbsent({
      id,
      kind: REOPENED_KIND,
      dueAt: new Date(this.clock.now().getTime() + RECHECK_MS).toISOString(),
      payload: { conversation: waiter.conversation, ...(command && { command }) },
      attempts: 0,
    });
    // Not created: a refusal racing this one recorded them first, with a conversation not read here.
    return created ? 'noted' : 'known';
  }

  /** After a resume: every person recorded comes due now (a job changed meanwhile is left as it is). */
  async bringForward(): Promise<number> {
    const now = this.clock.now();
    // Racing refusals may have recorded a few more than the bound: all are told.
    const waiting = await this.jobs.withIdPrefix(PREFIX, MAX_WAITERS * 2);
    let moved = 0;
    for (const job of waiting) {
      if (Date.parse(job.dueAt) <= now.getTime()) continue;
      if (await this.jobs.putIfUnchanged({ ...job, dueAt: now.toISOString() }, job.revision ?? '')) moved++;
    }
    return moved;
  }

  /**
   * The job of one person: while new access is paused (still, or again) it waits; once open, the
   * person is told, once. A failed send is logged and not tried again: the resume stands, and the
   * person can still ask again themselves.
   */
  async onDue(job: ScheduledJob): Promise<void> {
    if (await this.pauses.current()) {
      const later = { ...job, dueAt: new Date(this.clock.now().getTime() + RECHECK_MS).toISOString(), attempts: 0 };
      await this.jobs.put(later);
      // A resume between the read above and that write skipped this job (it was due already, so
      // bringForward left it): read again once it is written, and bring it back now if open. A
      // resume after this read finds it due later, and brings it forward itself.
      if (!(await this.pauses.current())) await this.jobs.put({ ...later, dueAt: this.clock.now().toISOString() });
      return;
    }
    if (!this.tell) throw new Error('nothing to tell requesters with: the bot is not running in this process');
    const command = typeof job.payload?.command === 'string' ? job.payload.command : undefined;
    try {
      await this.tell(job.payload?.conversation, command);
    } catch (err) {
      this.log.warn(
        { err, jobId: job.id },
        'a requester refused during the pause could not be told that new access is open again',
      );
    }
  }
}
