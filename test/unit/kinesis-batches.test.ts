// How the API's Kinesis batches answer each request when Kinesis refuses some records or the whole call (a stub
// client: the emulator does not refuse single records).
import type { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KinesisBatches } from '../../api/kinesis-batches';

function client(answer: (records: number) => Promise<unknown>): { client: KinesisClient; sizes: number[] } {
  const sizes: number[] = [];
  const send = (command: PutRecordsCommand) => {
    const n = command.input.Records?.length ?? 0;
    sizes.push(n);
    return answer(n);
  };
  return { client: { send } as unknown as KinesisClient, sizes };
}

it('rejects only the records Kinesis refused, with its error code; the others get their sequence numbers', async () => {
  const stub = client((n) =>
    Promise.resolve({
      Records: Array.from({ length: n }, (_, i) =>
        i === 1
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
          : { SequenceNumber: `seq-${i}`, ShardId: 'shardId-0' },
      ),
    }),
  );
  const batches = new KinesisBatches(stub.client, 's');
  const first = batches.put('a', Buffer.from('1'));
  const queued = [batches.put('b', Buffer.from('2')), batches.put('c', Buffer.from('3'))];

  await expect(first).resolves.toEqual({ sequenceNumber: 'seq-0', shardId: 'shardId-0' });
  await expect(queued[0]).resolves.toEqual({ sequenceNumber: 'seq-0', shardId: 'shardId-0' });
  await expect(queued[1]).rejects.toThrow('ProvisionedThroughputExceededException: Rate exceeded for shard');
  expect(stub.sizes).toEqual([1, 2]);
});

it('rejects every record of a call that failed, and the next requests are sent', async () => {
  let fail = true;
  const stub = client((n) =>
    fail
      ? Promise.reject(new Error('connect ECONNREFUSED'))
      : Promise.resolve({ Records: Array.from({ length: n }, (_, i) => ({ SequenceNumber: `s${i}` })) }),
  );
  const batches = new KinesisBatches(stub.client, 's');
  await expect(batches.put('a', Buffer.from('1'))).rejects.toThrow('ECONNREFUSED');
  fail = false;
  await expect(batches.put('a', Buffer.from('2'))).resolves.toMatchObject({ sequenceNumber: 's0' });
});

it('keeps a call under its record and byte limits', async () => {
  const stub = client((n) => Promise.resolve({ Records: Array.from({ length: n }, () => ({ SequenceNumber: 's' })) }));
  const batches = new KinesisBatches(stub.client, 's', { maxRecords: 3, maxBytes: 25 });
  await Promise.all(Array.from({ length: 8 }, () => batches.put('k', Buffer.alloc(9))));
  // the first goes alone; then 10 bytes each: two fit under 25 bytes
  expect(stub.sizes).toEqual([1, 2, 2, 2, 1]);
});
