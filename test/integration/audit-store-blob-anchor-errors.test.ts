/**
 * BlobAnchorLog.append, refused by the blob service (Azurite here): the error names the blob,
 * the service's status and code and the fix, keeps the SDK's error as its cause, and is a
 * UserFacingError, so the audit.anchor job's report shows it instead of "unexpected error".
 * The usual causes come from someone who can write the anchor container: today's blob made a
 * block blob, or leased; or a right the bot lacks; or the container deleted.
 */
import {
  AccountSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { answerForApprovers } from '../../src/composition/scheduler';
import { BlobAnchorLog } from '../../src/integrations/store/blob-anchor-log';
import { DEV_ACCOUNT, DEV_KEY, useAzurite } from '../helpers/azurite';
import { FakeClock } from '../unit/support/fake-clock';

jest.setTimeout(60_000);

const world = useAzurite();
/** FakeClock's day: the blob an append writes is anchors-2025-01-15.log. */
const TODAY = 'anchors-2025-01-15.log';

/** A fresh container name, an anchor log on it (connection string `value`), and an admin client on it. */
function setup(value = world.azurite.connectionString): {
  name: string;
  anchors: BlobAnchorLog;
  admin: ContainerClient;
} {
  const name = `anchors-${world.azurite.freshPrefix()}`;
  const clock = new FakeClock();
  const anchors = new BlobAnchorLog({ kind: 'connectionString', value, container: name }, () => clock.now());
  const admin = BlobServiceClient.fromConnectionString(world.azurite.connectionString).getContainerClient(name);
  return { name, anchors, admin };
}

/** The rejection of `promise`, which must reject. */
async function failureOf(promise: Promise<unknown>): Promise<Error & { code: string; cause?: unknown }> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err as Error & { code: string; cause?: unknown },
  );
  if (!outcome) throw new Error('the append succeeded');
  return outcome;
}

const causeOf = (err: { cause?: unknown }) => err.cause as { statusCode?: number; code?: string };

describe('BlobAnchorLog.append names why the blob service refused it', () => {
  test("today's blob created as a block blob by someone else: 409 InvalidBlobType, named with the fix", async () => {
    const { name, anchors, admin } = setup();
    await admin.create();
    await admin.getBlockBlobClient(TODAY).upload('not an anchor\n', 14);
    const err = await failureOf(anchors.append('{"v":1}'));
    expect(err).toMatchObject({ name: 'AnchorWriteError', code: 'anchor.blob-type' });
    expect(err.message).toBe(
      `the anchor blob "${TODAY}" in container "${name}" of storage account "${DEV_ACCOUNT}" is not an append blob (409 InvalidBlobType): someone who can write the container created it as another blob type, and acrbot appends anchors only to an append blob it creates. No anchor is published under that name today; anchoring resumes with the next UTC day's blob. Find out who wrote it (the storage account's logs) and keep it: verify reads it with the anchors and names its lines.`,
    );
    expect(causeOf(err)).toMatchObject({ statusCode: 409, code: 'InvalidBlobType' });
    // The job's report shows the sentence, not "unexpected error".
    expect(answerForApprovers(err, 'audit.anchor')).toBe(err.message);
  });

  test("today's blob leased by someone else: 412 LeaseIdMissing, named with the fix; appended once the lease is broken", async () => {
    const { name, anchors, admin } = setup();
    await anchors.append('{"line":1}');
    const lease = admin.getBlobClient(TODAY).getBlobLeaseClient();
    await lease.acquireLease(-1);
    const err = await failureOf(anchors.append('{"line":2}'));
    expect(err).toMatchObject({ name: 'AnchorWriteError', code: 'anchor.leased' });
    expect(err.message).toBe(
      `the anchor blob "${TODAY}" in container "${name}" of storage account "${DEV_ACCOUNT}" cannot be appended to: it or its container is leased by someone else (412 LeaseIdMissing), and acrbot takes no leases. Find out who took the lease (the storage account's logs), then break it (az storage blob lease break, or az storage container lease break); the next run appends again.`,
    );
    expect(causeOf(err)).toMatchObject({ statusCode: 412, code: 'LeaseIdMissing' });
    await lease.breakLease(0);
    await anchors.append('{"line":3}');
    await expect(anchors.lines()).resolves.toEqual(['{"line":1}', '{"line":3}']);
  });

  test('a SAS that only reads: 403 AuthorizationPermissionMismatch, named with the right to give; no SAS in the message', async () => {
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse('rl'),
        resourceTypes: 'sco',
        services: 'b',
      },
      new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY),
    ).toString();
    const { name, anchors } = setup(`BlobEndpoint=${world.azurite.blobEndpoint};SharedAccessSignature=${sas}`);
    const err = await failureOf(anchors.append('{"v":1}'));
    expect(err).toMatchObject({ name: 'AnchorWriteError', code: 'anchor.forbidden' });
    expect(err.message).toBe(
      `acrbot may not write the anchor blob "${TODAY}" in container "${name}" of storage account "${DEV_ACCOUNT}" (403 AuthorizationPermissionMismatch). Give the bot's identity Storage Blob Data Contributor on the container (infra/ does), or, with a connection string, a key or SAS that allows creating and appending blobs; the next run appends again.`,
    );
    expect(causeOf(err)).toMatchObject({ statusCode: 403, code: 'AuthorizationPermissionMismatch' });
    const sig = new URLSearchParams(sas).get('sig')!;
    for (const secret of [sas, sig, encodeURIComponent(sig), DEV_KEY]) expect(err.message).not.toContain(secret);
  });

  test('the container deleted after the first anchor: 404 ContainerNotFound, named; the next run creates it again', async () => {
    const { name, anchors, admin } = setup();
    await anchors.append('{"line":1}');
    await admin.delete();
    const err = await failureOf(anchors.append('{"line":2}'));
    expect(err).toMatchObject({ name: 'AnchorWriteError', code: 'anchor.container-missing' });
    expect(err.message).toBe(
      `the anchor container "${name}" of storage account "${DEV_ACCOUNT}" no longer exists (404 ContainerNotFound): it was deleted after acrbot created it, and the anchors in it with it. The next run creates it again; until then check the log against your last export (npm run audit:export), as the deleted anchors no longer can.`,
    );
    expect(causeOf(err)).toMatchObject({ statusCode: 404, code: 'ContainerNotFound' });
    await anchors.append('{"line":3}');
    await expect(anchors.lines()).resolves.toEqual(['{"line":3}']);
  });
});
