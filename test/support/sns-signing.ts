// A stand-in for SNS's signing side: an RSA key and a self-signed certificate made with openssl, and messages signed
// as SNS signs them ("Key\nValue\n" of the signed fields, in SNS's order, per the SNS developer guide's "Verifying the
// signatures of Amazon SNS messages"), written out here rather than taken from the code under test.
import { createSign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SnsSigner {
  certificatePem: string;
  sign(message: Record<string, string>, version?: '1' | '2'): Record<string, string>;
}

export function createSnsSigner(): SnsSigner {
  const dir = mkdtempSync(join(tmpdir(), 'sns-signer-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=sns.us-east-1.amazonaws.com',
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return {
      certificatePem,
      sign(message, version = '1') {
        const fields =
          message.Type === 'Notification'
            ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
            : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
        const text = fields
          .filter((field) => message[field] !== undefined)
          .map((field) => `${field}\n${message[field]}\n`)
          .join('');
        const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
        signer.update(text, 'utf8');
        return { ...message, SignatureVersion: version, Signature: signer.sign(key, 'base64') };
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
