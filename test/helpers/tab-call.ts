import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import type { Harness } from './harness';

/** The audience of the sandbox tab's SSO tokens. */
export const SANDBOX_TAB_AUDIENCE = `api://localhost/${SANDBOX_TAB_APP_ID}`;

/** A tab SSO token the sandbox's identity emulator issues for `user` (a key of the sandbox's users). */
export function tabToken(h: Harness, user: string): Promise<string> {
  return h.app.sandbox!.identity.issue({ user, audience: SANDBOX_TAB_AUDIENCE });
}

/** Calls the tab's JSON API as the page does: a bearer token, JSON in and out. */
export async function tabCall(
  base: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}
