/**
 * The ARM reader and its connection for a started sandbox, built as the app builds them there
 * (the sandbox's CA, a keep-alive agent, no tracing).
 */
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { ArmResourceReader } from '../../src/integrations/azure/azure-resource-reader';
import type { Sandbox } from '../../src/sandbox/sandbox';

/** The connection to `sandbox`'s ARM emulator and a reader over it. */
export function sandboxArm(sandbox: Sandbox) {
  const conn = {
    endpoint: sandbox.armUrl,
    credential: sandbox.credential,
    caPem: sandbox.tls.caPem,
    agent: keepAliveAgent(sandbox.tls.caPem),
    tracing: false,
  };
  return { conn, reader: new ArmResourceReader(conn) };
}
