// The API's Kinesis writes in batches (api/kinesis-batches.ts), through the real SDK to the AWS emulator: records that
// arrive while a PutRecords call is on its way go together in the next one, at most 500 a call, and each request gets
// its own record's sequence number.
import { randomUUID } from 'node:crypto';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { KinesisBatches } from '../../api/kinesis-batches';
import { testAwsClients } from '../support/aws';

it('puts 600 records arriving at once in 3 PutRecords calls (1, 500, 99), each answered with its own sequence number', async () => {
  const aws = testAwsClients();
  const streamName = `batches-${randomUUID().slice(0, 8)}`;
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
  await waitUntilStreamExists({ client: aws.kinesis, maxWaitTime: 30 }, { StreamName: streamName });
  const batches = new KinesisBatches(aws.kinesis, streamName);

  const bodies = Array.from({ length: 600 }, (_, i) => `{"n":${i}}`);
  const puts = await Promise.all(
    bodies.map((body) => batches.put(`svc-${bodies.indexOf(body) % 7}`, Buffer.from(body))),
  );

  expect(batches.calls).toBe(3);
  expect(batches.records).toBe(600);
  const shardId = (await aws.kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards![0].ShardId;
  let iterator = (
    await aws.kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    )
  ).ShardIterator;
  const stored = new Map<string, string>();
  while (iterator && stored.size < 600) {
    const page = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    for (const r of page.Records ?? []) stored.set(r.SequenceNumber!, Buffer.from(r.Data!).toString('utf8'));
    if ((page.Records ?? []).length === 0) break;
    iterator = page.NextShardIterator;
  }
  expect(stored.size).toBe(600);
  // every request's sequence number is the record holding its own body
  puts.forEach((put, i) => expect(stored.get(put.sequenceNumber!)).toBe(bodies[i]));
  aws.kinesis.destroy();
});
