/**
 * anchorWriteError for answers Azurite does not give on an append (see
 * test/integration/audit-store-blob-anchor-errors.test.ts for those it does): another lease
 * code, a service error, no answer at all. Each names the blob and what the service said.
 */
import { anchorWriteError } from '../../src/integrations/store/anchor-write-error';

const WHERE = 'container "anchors" of storage account "acct"';
const BLOB = 'anchors-2025-01-15.log';

describe('anchorWriteError', () => {
  test('409 LeaseAlreadyPresent is a lease put there by someone else', () => {
    const cause = Object.assign(new Error('There is already a lease present.'), {
      statusCode: 409,
      code: 'LeaseAlreadyPresent',
    });
    const err = anchorWriteError(cause, BLOB, WHERE);
    expect(err).toMatchObject({ code: 'anchor.leased', cause });
    expect(err.message).toContain(`"${BLOB}" in ${WHERE} cannot be appended to: it or its container is leased`);
    expect(err.message).toContain('(409 LeaseAlreadyPresent)');
  });

  test.each([
    [{ statusCode: 503, code: 'ServerBusy' }, '(503 ServerBusy)'],
    [{ statusCode: 500, details: { errorCode: 'InternalError' } }, '(500 InternalError)'],
    [{ code: 'ECONNREFUSED' }, '(ECONNREFUSED)'],
    [{}, '(no answer)'],
  ])('any other failure (%j) names the blob and the answer, never the SDK message', (fields, answer) => {
    const cause = Object.assign(new Error('https://acct.blob.core.windows.net/anchors?sig=SECRET'), fields);
    const err = anchorWriteError(cause, BLOB, WHERE);
    expect(err).toMatchObject({ code: 'anchor.write-failed', cause });
    expect(err.message).toBe(
      `the anchor blob "${BLOB}" in ${WHERE} could not be appended to ${answer}; the next run tries again.`,
    );
  });
});
