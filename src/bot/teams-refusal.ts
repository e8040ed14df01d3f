/**
 * Teams' answer that acrbot cannot post in a conversation at all: 403 (acrbot is not in it, e.g.
 * removed from the team — `BotNotInConversationRoster` — or a private channel bots cannot post
 * in) or 404 (the conversation is gone). No retry and no apology can get through there, so a turn
 * whose own reply is refused so is "cannot answer here", not an unexpected failure of the bot.
 */

/** What Teams said when it refused a post: the HTTP status and its error code, if it gave one. */
export interface TeamsRefusal {
  status: 403 | 404;
  /** Teams' `error.code` (e.g. `BotNotInConversationRoster`), cut to 100 characters. */
  code?: string;
}

/**
 * The refusal in `err` (a Bot Connector RestError), else undefined. Only for the error of a post
 * to the conversation in question: any Azure SDK call fails with the same shape and status.
 */
export function teamsRefusal(err: unknown): TeamsRefusal | undefined {
  if (err instanceof TeamsPostRefused) return err.refusal;
  const e = err as { statusCode?: unknown; code?: unknown; response?: { bodyAsText?: unknown } } | undefined;
  const status = e?.statusCode;
  if (status !== 403 && status !== 404) return undefined;
  const code = typeof e?.code === 'string' && e.code ? e.code : bodyCode(e?.response?.bodyAsText);
  return code ? { status, code: code.slice(0, 100) } : { status };
}

/**
 * A post Teams refused for good, marked where the activity itself was sent: a caller that also
 * writes to the store around the post tells the two apart by this type, since an Azure Tables
 * error (403 AuthorizationFailure, 404 TableNotFound) has the same shape and status as Teams'
 * refusal. The RestError Teams answered is its `cause`.
 */
export class TeamsPostRefused extends Error {
  constructor(
    readonly refusal: TeamsRefusal,
    cause: unknown,
  ) {
    // Teams' own words kept in the message: the log line of the caller says why without its cause.
    const said = (cause as { message?: unknown } | undefined)?.message;
    super(
      `Teams refused the post (${refusal.status}${refusal.code ? ` ${refusal.code}` : ''})${typeof said === 'string' && said ? `: ${said}` : ''}`,
      { cause },
    );
    this.name = 'TeamsPostRefused';
  }
}

/**
 * Runs `send` (one activity's post to the conversation in question, nothing else); its refusal
 * for good ({@link teamsRefusal}) is rethrown as {@link TeamsPostRefused}, any other error as is.
 */
export async function sendMarkingRefusal<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const refusal = teamsRefusal(err);
    throw refusal ? new TeamsPostRefused(refusal, err) : err;
  }
}

/** `error.code` of Teams' JSON answer (`{ "error": { "code": … } }`), if it has one. */
function bodyCode(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && code ? code : undefined;
  } catch {
    return undefined;
  }
}
