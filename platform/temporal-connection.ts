// Temporal connection options from the runtime config: plain TCP locally, mTLS or an API key in production.
import fs from 'node:fs';
import type { ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConnectionConfig } from '../core';

export function nativeConnectionOptions(config: TemporalConnectionConfig): NativeConnectionOptions {
  const options: NativeConnectionOptions = { address: config.address };
  if (config.apiKey) {
    options.apiKey = config.apiKey;
    options.tls = true;
  }
  if (config.tls) {
    const read = (file: string | undefined): Buffer | undefined => (file ? fs.readFileSync(file) : undefined);
    const cert = read(config.tls.certPath);
    const key = read(config.tls.keyPath);
    options.tls = {
      ...(config.tls.serverName ? { serverNameOverride: config.tls.serverName } : {}),
      ...(config.tls.caPath ? { serverRootCACertificate: read(config.tls.caPath) } : {}),
      ...(cert && key ? { clientCertPair: { crt: cert, key } } : {}),
    };
  }
  return options;
}

/** The same settings for a Temporal client connection (the entity activities use a client). */
export function clientConnectionOptions(config: TemporalConnectionConfig): ConnectionOptions {
  const native = nativeConnectionOptions(config);
  const tls = native.tls;
  return {
    address: native.address,
    ...(native.apiKey && typeof native.apiKey === 'string' ? { apiKey: native.apiKey } : {}),
    ...(tls === true
      ? { tls: true }
      : tls
        ? {
            tls: {
              serverNameOverride: tls.serverNameOverride,
              serverRootCACertificate: tls.serverRootCACertificate,
              clientCertPair: tls.clientCertPair,
            },
          }
        : {}),
  };
}
