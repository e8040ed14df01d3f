/**
 * The tab's answer to an Extend whose approval card could not be posted: in chat's words
 * (request-handler.ts), with the reference the platform team finds the failed post's log line by
 * (the correlation id the tab's call runs under), and the request id to look for.
 */
import { tabActions } from '../../src/composition/tab-actions';
import { withCorrelation } from '../../src/observability/correlation';
import { pendingRequest, REQUESTER } from './support/requests';

test('approvers not notified: the extension id, the command that finds it, and the reference', async () => {
  const extension = pendingRequest({ id: 'R-EXTENDED', extendsRequestId: 'R-ORIGINAL' });
  const actions = tabActions({
    actions: { extendOutsideTurn: async () => ({ extension, approversNotified: false }) } as never,
    requests: {} as never,
  });
  const answer = await withCorrelation(
    () =>
      actions.extend!({
        requestId: 'R-ORIGINAL',
        actor: REQUESTER,
        tenantId: 't-1',
        duration: '1d',
        reason: 'release still running',
      }),
    'c-42',
  );
  expect(answer).toEqual({
    requestId: 'R-EXTENDED',
    message:
      'Extension R-EXTENDED of R-ORIGINAL asked for. The approval card could not be posted, so approvers are not ' +
      'notified automatically: they can find request R-EXTENDED with "@acrbot pending". Reference for the ' +
      'platform team: c-42.',
  });
});
