/**
 * A client for Microsoft 365 Agents Playground's local HTTP API and WebSocket stream, the
 * same endpoints its web UI uses (read from the 0.2.28 server bundle; they are internal and
 * pre-release, so everything the tests rely on is here in one file):
 *
 * - `GET  /_internal/v1/config`: the loaded config (tenant, bot, currentUser, users, chats, teams).
 * - `POST /_conversation/v1/conversations/{id}/messages`: the current user types a message;
 *   the bot gets it in a personal chat, or when `mentions` names the bot. In a channel the
 *   Playground opens a new post; the response carries `postConversationId`
 *   (`<channel>;messageid=<id>`). The activity's `from` is always the config's currentUser.
 * - `POST /_conversation/v1/invoke`: a card button (`adaptiveCard/action`, i.e. Action.Execute);
 *   `from.id` may be ANY user of the config (the server builds `from` with that user's
 *   aadObjectId), which is how another person presses a button. The response is the bot's
 *   invoke response (`{type, value}`).
 * - `GET /_internal/v1/customActivities/template?conversationId=…` and
 *   `POST /_internal/v1/customActivities`: the UI's "custom activity" feature, which sends an
 *   arbitrary activity to the bot; used to let a user other than currentUser type a command.
 * - `ws://…/_ws_conversation/v1/conversations/stream`: `{action: createMessage|updateMessage|typing,
 *   actionConversationId, message}` for every bot message and update. Events are buffered
 *   while no client is connected and flushed to the next one, so open the stream once, early,
 *   and match messages by unique text or message id.
 */
import { SimpleWebSocket } from './ws-client';

/** A user in the Playground config. */
export interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
  userPrincipleName?: string;
}

/** What `GET /_internal/v1/config` returns (the parts used here). */
export interface PlaygroundConfig {
  config: {
    tenantId: string;
    bot: { id: string; name: string };
    currentUser: PlaygroundUser;
    users: PlaygroundUser[];
    personalChat: { id: string; name: string };
    groupChats: { id: string; name: string; members: string[] }[];
    teams: { id: string; name: string; aadGroupId: string; channels: { id: string; name: string }[] }[];
  };
  internalConfig: { channelId: string; [key: string]: unknown };
}

/** An attachment as the stream carries it. */
export interface PlaygroundAttachment {
  contentType: string;
  content: unknown;
}

/** A bot message as last seen on the stream (updates replace `text`/`attachments`). */
export interface PlaygroundMessage {
  messageId: string;
  /** The conversation to reply in or to send card actions with: a chat id or a post `<channel>;messageid=<root>`. */
  conversationId: string;
  /** The chat or channel id the message is shown in. */
  parentId: string;
  fromId: string;
  text?: string;
  attachments: PlaygroundAttachment[];
  /** 0 when created, +1 on every update. */
  updates: number;
}

/** A raw stream event. */
export interface StreamEvent {
  action: string;
  actionConversationId: string;
  message?: {
    messageId: string;
    from: { id: string };
    text?: string;
    attachments?: PlaygroundAttachment[];
    postConversationId?: string;
  };
  receivedAt: number;
}

/** The response of an invoke (the bot's invoke response). */
export interface InvokeResult {
  status: number;
  body: { type?: string; value?: unknown; [key: string]: unknown };
}

/** Every human-readable string of an Adaptive Card (TextBlock text, fact titles/values, action titles, input labels and values). */
export function cardText(content: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown, key?: string) => {
    if (typeof node === 'string') {
      if (
        key === undefined ||
        ['text', 'title', 'value', 'label', 'placeholder', 'fallbackText', 'altText', 'speak'].includes(key)
      )
        out.push(node);
      return;
    }
    if (Array.isArray(node)) return node.forEach((n) => walk(n));
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) if (k !== 'data' && k !== '$schema' && k !== 'type') walk(v, k);
    }
  };
  walk(content);
  return out.join('\n');
}

/** All text of a message: its text and every card's text. */
export function messageText(message: Pick<PlaygroundMessage, 'text' | 'attachments'>): string {
  return [message.text ?? '', ...message.attachments.map((a) => cardText(a.content))].join('\n');
}

/** The Action.Execute actions on a message's cards (verb, title, data), including those in ActionSets. */
export function cardActions(
  message: Pick<PlaygroundMessage, 'attachments'>,
): { verb?: string; title?: string; data?: Record<string, unknown> }[] {
  const found: { verb?: string; title?: string; data?: Record<string, unknown> }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'Action.Execute')
        found.push({ verb: n.verb as string, title: n.title as string, data: n.data as Record<string, unknown> });
      Object.values(n).forEach(walk);
    }
  };
  message.attachments.forEach((a) => walk(a.content));
  return found;
}

type Waiter = {
  predicate: (m: PlaygroundMessage, event: StreamEvent) => boolean;
  resolve: (m: PlaygroundMessage) => void;
};

/** One connection to a running Playground: API calls plus the event stream. */
export class PlaygroundSession {
  readonly events: StreamEvent[] = [];
  readonly messages = new Map<string, PlaygroundMessage>();
  private waiters: Waiter[] = [];

  private constructor(
    readonly baseUrl: string,
    readonly config: PlaygroundConfig,
    private readonly ws: SimpleWebSocket | undefined,
  ) {
    ws?.on('message', (data: string) => this.onEvent(data));
    ws?.on('error', () => undefined);
  }

  /**
   * Reads the config and opens the stream. With `stream: false` no stream is opened (API calls
   * only): a stream connection would take the events the Playground buffered for the web UI.
   */
  static async open(baseUrl: string, options: { stream?: boolean } = {}): Promise<PlaygroundSession> {
    const config = (await (await fetch(`${baseUrl}/_internal/v1/config`)).json()) as PlaygroundConfig;
    const ws =
      options.stream === false
        ? undefined
        : await SimpleWebSocket.connect(`${baseUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`);
    return new PlaygroundSession(baseUrl, config, ws);
  }

  get me(): PlaygroundUser {
    return this.config.config.currentUser;
  }
  get bot(): { id: string; name: string } {
    return this.config.config.bot;
  }
  get team() {
    return this.config.config.teams[0];
  }
  get groupChat() {
    return this.config.config.groupChats[0];
  }
  get personalChatId(): string {
    return this.config.config.personalChat.id;
  }

  /** A user of the config by display name (or the current user). */
  user(name: string): PlaygroundUser {
    const all = [this.me, ...this.config.config.users];
    const u = all.find((x) => x.name === name);
    if (!u) throw new Error(`no Playground user named ${name}; have ${all.map((x) => x.name).join(', ')}`);
    return u;
  }

  /** A team channel id by name ("General" is the team id). */
  channel(name: string): string {
    const c = this.team.channels.find((x) => x.name === name);
    if (!c) throw new Error(`no channel named ${name}`);
    return c.id;
  }

  close(): void {
    this.ws?.close();
  }

  private onEvent(data: string): void {
    let event: StreamEvent;
    try {
      event = { ...(JSON.parse(data) as Omit<StreamEvent, 'receivedAt'>), receivedAt: Date.now() };
    } catch {
      return;
    }
    this.events.push(event);
    const m = event.message;
    if (!m || (event.action !== 'createMessage' && event.action !== 'updateMessage')) return;
    const known = this.messages.get(m.messageId);
    const conversationId = known?.conversationId ?? m.postConversationId ?? event.actionConversationId;
    const message: PlaygroundMessage = {
      messageId: m.messageId,
      conversationId,
      parentId: known?.parentId ?? conversationId.split(';')[0],
      fromId: m.from?.id,
      text: m.text,
      attachments: m.attachments ?? [],
      updates: known ? known.updates + (event.action === 'updateMessage' ? 1 : 0) : 0,
    };
    this.messages.set(m.messageId, message);
    for (const w of [...this.waiters]) {
      if (w.predicate(message, event)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(message);
      }
    }
  }

  /** Resolves with the first bot message (current state, or a later create/update) that matches. */
  waitFor(
    predicate: (m: PlaygroundMessage) => boolean,
    what: string,
    timeoutInMs = 15_000,
  ): Promise<PlaygroundMessage> {
    for (const m of this.messages.values()) if (predicate(m)) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        const seen = [...this.messages.values()]
          .slice(-8)
          .map((m) => `  ${m.messageId} in ${m.conversationId}: ${messageText(m).replace(/\s+/g, ' ').slice(0, 160)}`)
          .join('\n');
        reject(new Error(`timed out after ${timeoutInMs} ms waiting for ${what}; last messages:\n${seen}`));
      }, timeoutInMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves when an update of `messageId` arrives (or has arrived) whose text matches. */
  waitForUpdate(messageId: string, pattern: RegExp, what: string, timeoutInMs = 15_000): Promise<PlaygroundMessage> {
    return this.waitFor(
      (m) => m.messageId === messageId && m.updates > 0 && pattern.test(messageText(m)),
      what,
      timeoutInMs,
    );
  }

  private async post(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }

  /**
   * The current user types `text` into a chat or channel, as the web UI does. With
   * `mention`, the message starts with an @mention of the bot (needed in channels and group chats).
   */
  async say(
    conversationId: string,
    text: string,
    options: { mention?: boolean } = {},
  ): Promise<{ messageId: string; postConversationId?: string; conversationId: string }> {
    const mentionText = `<at>${this.bot.name}</at>`;
    const body = {
      type: 'text',
      from: { id: this.me.id },
      text: options.mention ? `${mentionText} ${text}` : text,
      textFormat: 'plain',
      ...(options.mention
        ? { mentions: [{ mentioned: { id: this.bot.id, name: this.bot.name }, text: mentionText }] }
        : {}),
    };
    const res = await this.post(`/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, body);
    if (res.status !== 200)
      throw new Error(`Playground refused the message (HTTP ${res.status}): ${JSON.stringify(res.body)}`);
    return { ...res.body, conversationId: res.body.postConversationId ?? conversationId };
  }

  /**
   * Someone other than the current user types `text` (the Playground's custom-activity
   * feature: the activity is the Playground's own template for that conversation, with
   * `from`, `text`, the mention and Teams channelData set). The bot's answer arrives on the
   * stream like any other; in a channel conversation it opens a new post.
   */
  async sayAs(
    user: PlaygroundUser,
    conversationId: string,
    text: string,
    options: { mention?: boolean } = {},
  ): Promise<void> {
    const tplRes = await fetch(
      `${this.baseUrl}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`,
    );
    if (!tplRes.ok)
      throw new Error(`Playground refused the activity template (HTTP ${tplRes.status}): ${await tplRes.text()}`);
    const template = (await tplRes.json()) as Record<string, any>;
    const mentionText = `<at>${this.bot.name}</at>`;
    const channelOrPost = template.conversation?.conversationType === 'channel';
    const channelId = String(template.conversation?.id ?? conversationId).split(';')[0];
    const activity = {
      ...template,
      type: 'message',
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      text: options.mention ? `${mentionText} ${text}` : text,
      textFormat: 'plain',
      locale: 'en-US',
      entities: [
        ...(options.mention
          ? [{ type: 'mention', mentioned: { id: this.bot.id, name: this.bot.name }, text: mentionText }]
          : []),
        { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web' },
      ],
      channelData: {
        tenant: { id: this.config.config.tenantId },
        ...(channelOrPost
          ? {
              teamsChannelId: channelId,
              teamsTeamId: this.team.id,
              team: { id: this.team.id },
              channel: { id: channelId },
            }
          : {}),
      },
    };
    const res = await this.post('/_internal/v1/customActivities', activity);
    if (res.status !== 200)
      throw new Error(`Playground refused the custom activity (HTTP ${res.status}): ${JSON.stringify(res.body)}`);
  }

  /** Presses an Action.Execute button of a bot message as `user` (default: the current user), exactly as the web UI does. */
  async click(
    message: PlaygroundMessage,
    verb: string,
    options: { as?: PlaygroundUser; data?: Record<string, unknown> } = {},
  ): Promise<InvokeResult> {
    const action = cardActions(message).find((a) => a.verb === verb);
    if (!action && !options.data)
      throw new Error(
        `message ${message.messageId} has no "${verb}" button; it has ${
          cardActions(message)
            .map((a) => a.verb)
            .join(', ') || 'none'
        }`,
      );
    const body = {
      name: 'adaptiveCard/action',
      value: {
        action: {
          type: 'Action.Execute',
          title: action?.title,
          verb,
          data: { ...(action?.data ?? {}), ...(options.data ?? {}) },
        },
      },
      from: { id: (options.as ?? this.me).id },
      conversation: { id: message.conversationId },
      replyToId: message.messageId,
    };
    return this.post('/_conversation/v1/invoke', body);
  }
}
