/**
 * Headless Chromium for the browser tests, the tab screenshots and the tab benchmark: one
 * executable path and one set of flags (TOOLCHAIN.md), so a flag needed here is added once.
 */
import { existsSync } from 'node:fs';

/** Debian's chromium, or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a headless, quiet Chromium that phones nowhere. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The flags plus a resolver that answers only localhost, so a page cannot reach the network. */
export const CHROMIUM_FLAGS_LOOPBACK_ONLY = [
  ...CHROMIUM_FLAGS,
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/** Throws a sentence saying how to install Chromium when it is missing. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `${CHROMIUM_PATH} not found: install Debian's chromium (apt-get update && apt-get install -y chromium), or set CHROMIUM_PATH`,
    );
}
