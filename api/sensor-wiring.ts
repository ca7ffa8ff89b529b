// Building the vendor routes' dependencies for the API process from the sensor mapping (services/sensors.yaml, read
// by platform/config-files): EC2 clients per region for host and tag lookups, the SNS signature verifier and the
// subscription confirmer.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SensorMapping } from '../core/config';
import type { AwsConfig } from '../core/runtime-config';
import { createEc2InstanceDirectory, createSnsVerifier } from '../ingest/adapters';
import { createAwsClients } from '../platform/aws-clients';
import type { SensorIntakeDependencies } from './dependencies';

/** GET a URL's body within `timeoutMs`; a status other than 2xx fails. */
export async function fetchText(url: string, timeoutMs = 5000): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return await response.text();
}

/** The vendor routes' dependencies from the mapping and the process's AWS settings (a client per region, lazily). */
export function createSensorIntake(mapping: SensorMapping, aws: AwsConfig): SensorIntakeDependencies {
  const clients = new Map<string, EC2Client>();
  const ec2For = (region: string): EC2Client => {
    let client = clients.get(region);
    if (!client) {
      client = createAwsClients({ ...aws, region }, { maxAttempts: 2, requestTimeoutMs: 3000 }).ec2;
      clients.set(region, client);
    }
    return client;
  };
  return {
    mapping,
    ...(mapping.ec2_lookup.enabled
      ? {
          directory: createEc2InstanceDirectory({
            ec2For,
            cacheMs: mapping.ec2_lookup.cache_ms,
            missCacheMs: mapping.ec2_lookup.miss_cache_ms,
          }),
        }
      : {}),
    snsVerifier: createSnsVerifier({
      certificateUrlPattern: mapping.sns.certificate_url_pattern,
      fetchText: (url) => fetchText(url),
    }),
    confirmSubscription: async (url) => {
      await fetchText(url);
    },
  };
}
