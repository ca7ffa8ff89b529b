// Events onto the Kinesis stream in batches: while one PutRecords call is on its way, the records of the requests that
// arrive meanwhile wait and go together in the next call (at most 500 records or 4 MiB each, Kinesis's limits being 500
// and 5 MiB). A lone request goes at once, as one record; a storm of them costs a few calls instead of one each.
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

export interface PutResult {
  sequenceNumber: string | undefined;
  shardId: string | undefined;
}

interface Waiting {
  entry: PutRecordsRequestEntry;
  bytes: number;
  resolve: (result: PutResult) => void;
  reject: (error: Error) => void;
}

export interface BatchLimits {
  maxRecords: number;
  maxBytes: number;
}

const kinesisLimits: BatchLimits = { maxRecords: 500, maxBytes: 4 * 1024 * 1024 };

/** One stream's batcher: `put` resolves with the record's sequence number, or rejects with why Kinesis refused it. */
export class KinesisBatches {
  private readonly queue: Waiting[] = [];
  private sending = false;
  /** PutRecords calls made and records sent, for the API's metrics and tests. */
  calls = 0;
  records = 0;

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly limits: BatchLimits = kinesisLimits,
  ) {}

  put(partitionKey: string, data: Uint8Array): Promise<PutResult> {
    return new Promise<PutResult>((resolve, reject) => {
      const bytes = data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
      this.queue.push({ entry: { PartitionKey: partitionKey, Data: data }, bytes, resolve, reject });
      if (!this.sending) void this.sendAll();
    });
  }

  private async sendAll(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) await this.send(this.takeBatch());
    } finally {
      this.sending = false;
    }
  }

  private takeBatch(): Waiting[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && count < this.limits.maxRecords) {
      const next = this.queue[count].bytes;
      if (count > 0 && bytes + next > this.limits.maxBytes) break;
      bytes += next;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async send(batch: Waiting[]): Promise<void> {
    this.calls += 1;
    this.records += batch.length;
    try {
      const out = await this.client.send(
        new PutRecordsCommand({ StreamName: this.streamName, Records: batch.map((w) => w.entry) }),
      );
      const results = out.Records ?? [];
      batch.forEach((waiting, i) => {
        const result = results[i];
        if (!result) waiting.reject(new Error('Kinesis returned no result for the record'));
        else if (result.ErrorCode)
          waiting.reject(new Error(`${result.ErrorCode}: ${result.ErrorMessage ?? ''}`.trim()));
        else waiting.resolve({ sequenceNumber: result.SequenceNumber, shardId: result.ShardId });
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

const batchers = new WeakMap<KinesisClient, Map<string, KinesisBatches>>();

/** The batcher of a client's stream (one per client and stream name, so concurrent requests share it). */
export function kinesisBatchesFor(client: KinesisClient, streamName: string): KinesisBatches {
  let byStream = batchers.get(client);
  if (!byStream) batchers.set(client, (byStream = new Map<string, KinesisBatches>()));
  let batches = byStream.get(streamName);
  if (!batches) byStream.set(streamName, (batches = new KinesisBatches(client, streamName)));
  return batches;
}
