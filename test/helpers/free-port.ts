/**
 * A free TCP port on 127.0.0.1 for a child process to listen on (tests and `npm run bench`).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port the OS hands out as a connection's local port (Linux; else the IANA default). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 49152;
  } catch {
    return 49152;
  }
}

/**
 * A free port below the ephemeral range. A port the OS picked with listen(0) is an ephemeral
 * one: while a child starts, connections made meanwhile (a readiness probe every 2 ms, each from
 * a fresh local port) can be given that very port, connect to themselves, and the child's listen
 * then fails with EADDRINUSE (seen once in a full bench run's P5). Ports below the range are never
 * handed out that way; another program taking one in between is a race small enough here.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let attempt = 0; ; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * Math.max(1, low - 10_000));
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
    if (attempt >= 50) throw new Error('no free port below the ephemeral range');
  }
}
