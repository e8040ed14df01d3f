/**
 * The `.dockerconfigjson` of a `kubernetes.io/dockerconfigjson` secret, byte for byte as
 * `kubectl create secret docker-registry` builds it: fields in Go struct order (username,
 * password, email, auth), every field omitempty, `auth = base64(username:password)`.
 */

/** Builds the JSON text. The password passes through and is returned inside the text only. */
export function dockerConfigJson(server: string, username: string, password: string, email?: string): string {
  const entry: Record<string, string> = {};
  if (username) entry.username = username;
  if (password) entry.password = password;
  if (email) entry.email = email;
  entry.auth = Buffer.from(`${username}:${password}`).toString('base64');
  return JSON.stringify({ auths: { [server]: entry } });
}
