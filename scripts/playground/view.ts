/**
 * A "window" on the Playground for one person: a loopback reverse proxy in front of
 * Microsoft 365 Agents Playground serving its web UI and API, with two additions.
 *
 * 1. Acting as someone else (`as: 'Alex Approver'`). The Playground is a one-user client: its
 *    config names one currentUser, and every typed message is sent to the bot from that user.
 *    In a view for another user of the config,
 *    - `GET /_internal/v1/config` names that user as currentUser, so the UI shows them as "me"
 *      and sends card button presses (`/_conversation/v1/invoke`, whose `from.id` the
 *      Playground honours for any user of its config) as them;
 *    - a message typed in a channel or the group chat goes to the bot as that user through the
 *      Playground's custom-activity API; the bot's answer appears (for everyone) as a new post
 *      in the channel, or in the group chat. The personal chat stays the currentUser's.
 *
 * 2. A stream every page can digest. The Playground broadcasts every bot event to every page,
 *    but a post someone types exists only in the page that sent it, and the web UI's message
 *    saga throws ("Invalid conversation id") on an event for a thread it does not know: a bot
 *    reply in another person's thread, or the bot's typing indicator that arrives in the same
 *    millisecond as the author's own post is acknowledged. After that error the page stops
 *    showing messages reliably. So, per page, events for unknown threads and updates of unknown
 *    messages are dropped (typing is cosmetic). Frames are forwarded verbatim.
 *
 * Both windows of `npm run playground`, and the browser test, go through such a view.
 */
import http from 'node:http';
import net from 'node:net';
import { type PlaygroundConfig, PlaygroundSession, type PlaygroundUser } from './api';

/** A running view. */
export interface PlaygroundView {
  url: string;
  port: number;
  user: PlaygroundUser;
  stop(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Starts a view of the Playground at `playgroundUrl` for the config's currentUser, or with
 * `as` for another user of the config, on 127.0.0.1:`port` (0: any free port).
 */
export async function startView(
  playgroundUrl: string,
  options: { as?: string; port?: number } = {},
): Promise<PlaygroundView> {
  const upstream = new URL(playgroundUrl);
  const config = (await (await fetch(`${playgroundUrl}/_internal/v1/config`)).json()) as PlaygroundConfig;
  const original = config.config.currentUser;
  const other =
    options.as && options.as !== original.name ? config.config.users.find((u) => u.name === options.as) : undefined;
  if (options.as && options.as !== original.name && !other)
    throw new Error(`no user named ${options.as} in the Playground config`);
  const user = other ?? original;
  // API calls only: no stream of its own (it would take events the Playground buffers for a page).
  const api = await PlaygroundSession.open(playgroundUrl, { stream: false });
  /** Channel posts typed in this view (known to the page that typed them; the stream never announces them). */
  const ownPosts = new Set<string>();

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, rewrite?: (b: Buffer) => Buffer) => {
    const proxied = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' },
      },
      (up) => {
        if (!rewrite) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const raw = Buffer.concat(chunks);
          let out: Buffer = raw;
          if (up.statusCode === 200) {
            try {
              out = rewrite(raw);
            } catch {
              out = raw;
            }
          }
          const headers = { ...up.headers, 'content-length': String(out.length) };
          delete headers['transfer-encoding'];
          delete headers.etag;
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(out);
        });
      },
    );
    proxied.on('error', (err) => send(res, 502, { error: `Playground unreachable: ${err.message}` }));
    req.pipe(proxied);
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      const typed = req.method === 'POST' ? /^\/_conversation\/v1\/conversations\/([^/]+)\/messages$/.exec(path) : null;
      if (!other) {
        // The currentUser's own window: everything goes through; remember the posts it opens.
        if (typed) {
          forward(req, res, (b) => {
            const post = (JSON.parse(b.toString('utf8')) as { postConversationId?: string }).postConversationId;
            if (post) ownPosts.add(post);
            return b;
          });
          return;
        }
        forward(req, res);
        return;
      }
      if (req.method === 'GET' && path === '/_internal/v1/config') {
        forward(req, res, (b) => {
          const c = JSON.parse(b.toString('utf8')) as PlaygroundConfig;
          // Swap the two people everywhere the UI looks them up: "me", the other users, chat and team members.
          c.config.users = [original, ...c.config.users.filter((u) => u.id !== other.id)];
          c.config.currentUser = other;
          const swap = (ids: string[]) => ids.map((id) => (id === other.id ? original.id : id));
          for (const chat of c.config.groupChats) chat.members = swap(chat.members);
          for (const team of c.config.teams as { members?: string[] }[])
            if (team.members) team.members = swap(team.members);
          return Buffer.from(JSON.stringify(c));
        });
        return;
      }
      if (typed) {
        const conversationId = decodeURIComponent(typed[1]);
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as {
          text?: string;
          mentions?: { mentioned: { id: string } }[];
        };
        if (conversationId === config.config.personalChat.id || conversationId.includes(';messageid=')) {
          const where = conversationId.includes(';messageid=')
            ? 'reply in a thread'
            : `use the personal chat (it belongs to ${original.name})`;
          send(res, 400, {
            error: {
              code: 'NotSupported',
              message: `As ${other.name} you cannot ${where}; start a new post in a channel or write in the group chat.`,
            },
          });
          return;
        }
        const mentionsBot = body.mentions?.some((m) => m.mentioned.id === config.config.bot.id) ?? false;
        const text = (body.text ?? '').replace(new RegExp(`<at>${config.config.bot.name}</at>\\s*`, 'g'), '').trim();
        const isChannel = config.config.teams.some((t) => t.channels.some((ch) => ch.id === conversationId));
        if (mentionsBot) await api.sayAs(other, conversationId, text, { mention: true });
        const now = Date.now();
        const postConversationId = isChannel ? `${conversationId};messageid=${now}` : undefined;
        if (postConversationId) ownPosts.add(postConversationId);
        send(res, 200, {
          messageId: String(now),
          timestamp: now,
          ...(postConversationId ? { postConversationId } : {}),
        });
        return;
      }
      forward(req, res);
    })().catch((err) => send(res, 500, { error: (err as Error).message }));
  });

  // WebSockets (the UI's conversation and log streams): a TCP pipe to the Playground; the
  // conversation stream is filtered per page (filterConversationStream).
  const sockets = new Set<net.Socket>();
  server.on('upgrade', (req, socket: net.Socket, head) => {
    sockets.add(socket);
    const up = net.connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [
        `${req.method} ${req.url} HTTP/1.1`,
        ...Object.entries(req.headers).map(
          ([k, v]) => `${k}: ${k === 'host' ? upstream.host : Array.isArray(v) ? v.join(', ') : v}`,
        ),
        '',
        '',
      ];
      up.write(lines.join('\r\n'));
      if (head.length) up.write(head);
      if (req.url === '/_ws_conversation/v1/conversations/stream') filterConversationStream(up, socket, ownPosts);
      else up.pipe(socket);
      socket.pipe(up);
    });
    sockets.add(up);
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    user,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Forwards the conversation stream to one page without the events that page cannot know (see the file comment). */
function filterConversationStream(up: net.Socket, client: net.Socket, ownPosts: Set<string>): void {
  const knownPosts = new Set<string>();
  const knownMessages = new Set<string>();
  let buffer = Buffer.alloc(0);
  let headersDone = false;
  const keep = (payload: string): boolean => {
    let event: {
      action?: string;
      actionConversationId?: string;
      message?: { messageId?: string; postConversationId?: string };
    };
    try {
      event = JSON.parse(payload);
    } catch {
      return true;
    }
    const conversation = event.actionConversationId ?? '';
    const id = event.message?.messageId;
    if (conversation.includes(';messageid=')) {
      // Typing only in threads this page has seen on the stream (never in its own brand-new post: see the race above).
      if (event.action === 'typing') return knownPosts.has(conversation);
      if (!knownPosts.has(conversation) && !ownPosts.has(conversation)) return false;
      knownPosts.add(conversation);
    }
    if (event.action === 'updateMessage') return !!id && knownMessages.has(id);
    if (event.action === 'createMessage' && id) {
      knownMessages.add(id);
      if (event.message?.postConversationId) knownPosts.add(event.message.postConversationId);
    }
    return true;
  };
  up.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!headersDone) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.write(buffer.subarray(0, end + 4));
      buffer = buffer.subarray(end + 4);
      headersDone = true;
    }
    for (;;) {
      if (buffer.length < 2) return;
      const opcode = buffer[0] & 0x0f;
      const masked = (buffer[1] & 0x80) !== 0;
      let len = buffer[1] & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (buffer.length < 4) return;
        len = buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (buffer.length < 10) return;
        len = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (masked) offset += 4; // servers do not mask; such a frame is passed on uninspected
      if (buffer.length < offset + len) return;
      const frame = buffer.subarray(0, offset + len);
      buffer = buffer.subarray(offset + len);
      const fin = (frame[0] & 0x80) !== 0;
      if (opcode === 0x1 && fin && !masked && !keep(frame.subarray(offset).toString('utf8'))) continue;
      client.write(frame);
    }
  });
  up.on('end', () => client.end());
}
