/**
 * Preloaded into the Microsoft 365 Agents Playground process (`node --require`) by
 * scripts/playground/stack.ts. Two guarantees the Playground does not give by itself:
 *
 * 1. Loopback only. The Playground calls `server.listen(port)` with no host, which listens on
 *    every interface. Any TCP listen without a host is pinned to 127.0.0.1 here.
 * 2. Offline. Any outgoing TCP/TLS connection to a host other than loopback is refused (and
 *    reported once on stderr with the prefix `[playground-offline]`), so a forgotten
 *    telemetry or update check cannot leave the machine. The e2e tests assert that no such
 *    line was printed.
 *
 * Plain JavaScript on purpose: it is loaded before anything else, without the swc hook.
 */
'use strict';
const net = require('node:net');

const LOOPBACK = '127.0.0.1';

const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, LOOPBACK);
  } else if (
    first &&
    typeof first === 'object' &&
    !Array.isArray(first) &&
    first.path === undefined &&
    first.fd === undefined &&
    !first._handle &&
    !first.handle
  ) {
    if (!first.host) args[0] = { ...first, host: LOOPBACK };
  } else if (first === undefined || typeof first === 'function') {
    args.unshift(0, LOOPBACK);
  }
  return originalListen.apply(this, args);
};

function isLoopback(host) {
  if (!host) return true; // net defaults to localhost
  const h = String(host)
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

const reported = new Set();
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connectLoopbackOnly(...args) {
  const first = args[0];
  const options = Array.isArray(first)
    ? first[0]
    : first && typeof first === 'object'
      ? first
      : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (options && !options.path && !isLoopback(options.host)) {
    const target = `${options.host}:${options.port}`;
    if (!reported.has(target)) {
      reported.add(target);
      process.stderr.write(`[playground-offline] blocked outbound connection to ${target}\n`);
    }
    const error = Object.assign(new Error(`offline: connection to ${target} blocked`), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};
