/**
 * The lease owner of an instance tells apart two processes with the same host name and pid (two
 * containers, each the bot as pid 1, with one hostname): leases are re-entrant per owner, so a
 * shared owner would let both run one request at once.
 */
import { hostname } from 'node:os';

type InstanceOwner = typeof import('../../src/composition/instance-owner').instanceOwner;

/** `instanceOwner` as a freshly started process has it (its module loaded anew). */
function inNewProcess(): InstanceOwner {
  let owner: InstanceOwner | undefined;
  jest.isolateModules(() => {
    owner = (require('../../src/composition/instance-owner') as { instanceOwner: InstanceOwner }).instanceOwner;
  });
  return owner!;
}

test('two processes with the same host name and pid are different owners', () => {
  const first = inNewProcess()({});
  const second = inNewProcess()({});
  expect(first).not.toBe(second);
  for (const owner of [first, second]) expect(owner.startsWith(`${hostname()}:${process.pid}:`)).toBe(true);
});

test('one process is one owner, whoever asks (the flows, the scheduler, the card messenger)', () => {
  const instanceOwner = inNewProcess();
  expect(instanceOwner({})).toBe(instanceOwner({}));
  expect(instanceOwner({ instanceId: 'bot-a' })).toBe('bot-a');
});
