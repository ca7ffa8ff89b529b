// The one place AWS SDK clients are made. HTTP/1.1 on purpose: SDK v3 defaults to HTTP/2, which the local
// emulators (moto, kinesalite) break on; real AWS serves HTTP/1.1 just as well.
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AwsConfig } from '../core';

export interface AwsClients {
  ec2: EC2Client;
  elb: ElasticLoadBalancingV2Client;
  kinesis: KinesisClient;
}

/** Short timeouts: a slow AWS call should fail fast and be retried by Temporal, not eat the page's 60 s. */
export interface AwsClientTuning {
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

function clientSettings(config: AwsConfig, tuning: AwsClientTuning) {
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: tuning.connectionTimeoutMs ?? 2000,
    requestTimeout: tuning.requestTimeoutMs ?? 10_000,
    httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
  });
  return {
    region: config.region,
    requestHandler,
    maxAttempts: tuning.maxAttempts ?? 3,
    ...(config.endpoint
      ? {
          endpoint: config.endpoint,
          // The emulator accepts any credentials; never let a local run pick up real ones.
          credentials: { accessKeyId: 'lazarus-local', secretAccessKey: 'lazarus-local' },
        }
      : {}),
  };
}

export function createAwsClients(config: AwsConfig, tuning: AwsClientTuning = {}): AwsClients {
  const settings = clientSettings(config, tuning);
  return {
    ec2: new EC2Client(settings),
    elb: new ElasticLoadBalancingV2Client(settings),
    kinesis: new KinesisClient(settings),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.ec2.destroy();
  clients.elb.destroy();
  clients.kinesis.destroy();
}

/**
 * One set of clients per AWS region, made on first use and kept: an action calls the API of its event's region, never
 * the process's default (AWS_REGION). Same endpoint override and tuning for every region (the local emulator serves
 * them all, keyed by the signing region).
 */
export interface RegionalAwsClients {
  forRegion(awsRegion: string): AwsClients;
  destroy(): void;
}

export function createRegionalAwsClients(config: AwsConfig, tuning: AwsClientTuning = {}): RegionalAwsClients {
  const made = new Map<string, AwsClients>();
  return {
    forRegion(awsRegion: string): AwsClients {
      let clients = made.get(awsRegion);
      if (!clients) {
        clients = createAwsClients({ ...config, region: awsRegion }, tuning);
        made.set(awsRegion, clients);
      }
      return clients;
    },
    destroy(): void {
      for (const clients of made.values()) destroyAwsClients(clients);
      made.clear();
    },
  };
}
