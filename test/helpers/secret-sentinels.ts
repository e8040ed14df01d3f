/**
 * Secrets that must never be printed, shown or stored, for tests that feed them into an error
 * text and look for them in what came out: an account key, a SAS signature, a bearer JWT and a
 * password, each a recognisable sentinel.
 */
export const ACCOUNT_KEY = 'QWNjb3VudEtleVNlbnRpbmVsMTIzNDU2Nzg5MA==';
export const SAS_SIG = 'c2FzU2lnbmF0dXJlU2VudGluZWw%3D';
export const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6InNlbnRpbmVsIn0.eyJzdWIiOiJzZW50aW5lbCIsImF1ZCI6ImFjciJ9.c2VudGluZWwtc2lnbmF0dXJl';
export const PASSWORD = 'hunter2-sentinel';
/** All of them. */
export const SECRETS = [ACCOUNT_KEY, SAS_SIG, JWT, PASSWORD];
