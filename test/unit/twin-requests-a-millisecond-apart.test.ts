/**
 * The create's second look for twins (request-creation.ts, withdrawTwin) when two identical
 * grants are made at once but a millisecond apart: both are stored before either looks, each
 * sees the other, and the order by `createdAt` keeps the earlier one waiting and withdraws the
 * later one. Real memory stores; the store's create is held so both land before either looks.
 */
import { isUserFacing } from '../../src/domain/errors';
import type { AccessRequest } from '../../src/domain/request';
import { RequestService } from '../../src/flows/request-service';
import type { FlowSettings } from '../../src/flows/settings';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';

const TENANT = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const settings: FlowSettings = {
  approvalTtlMs: 24 * 3_600_000,
  approverIds: [APPROVER.objectId],
  auditorIds: [],
  approverJustificationRequired: false,
  principalRetryDelaysMs: [],
  sandbox: true,
};

test('two identical grants stored at once, made 1 ms apart: the earlier stays waiting, the later is withdrawn naming it', async () => {
  const clock = new FakeClock();
  const stores = memoryStores(clock);
  const service = new RequestService(
    stores.requests,
    stores.audit,
    fakeDirectory(),
    clock,
    settings,
    { requestChanged: async () => undefined },
    createLogger({ level: 'silent' }),
  );
  // The first create's write waits for the second's: both are stored before either looks again.
  const create = stores.requests.create.bind(stores.requests);
  let firstArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
  let secondStored!: () => void;
  const secondLanded = new Promise<void>((resolve) => (secondStored = resolve));
  let firstStored!: () => void;
  const firstLanded = new Promise<void>((resolve) => (firstStored = resolve));
  let creates = 0;
  stores.requests.create = async (request) => {
    if (creates++ === 0) {
      firstArrived();
      await secondLanded;
      await create(request);
      firstStored();
      return;
    }
    await create(request);
    secondStored();
    await firstLanded;
  };
  const file = async (reason: string): Promise<AccessRequest | { refused: string; message: string }> => {
    try {
      return await service.create({
        requester: REQUESTER,
        tenantId: TENANT,
        reason,
        plan: grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
        pendingCap: 10,
        refuseTwins: true,
      });
    } catch (err) {
      if (isUserFacing(err)) return { refused: err.code, message: err.message };
      throw err;
    }
  };

  const earlier = file('the first send');
  await arrived;
  clock.advance(1);
  const results = await Promise.all([earlier, file('the same, sent again')]);

  const all = await stores.requests.listByRequester(REQUESTER.objectId, ['pending', 'cancelled']);
  expect(all).toHaveLength(2);
  const [first, second] = [...all].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  expect(Date.parse(second!.createdAt) - Date.parse(first!.createdAt)).toBe(1);
  expect(first!.state).toBe('pending');
  expect(second!.state).toBe('cancelled');
  expect(results[0]).toMatchObject({ id: first!.id, state: 'pending' });
  expect(results[1]).toEqual({
    refused: 'limits.duplicate',
    message: expect.stringContaining(`You already have ${first!.id} waiting for approval`),
  });
});
