import { createSnsVerifier, parseSnsMessage, MalformedSensorPayloadError } from '../../../ingest/adapters';
import { createSnsSigner } from '../../support/sns-signing';
import { fixture } from './vendor-fixtures';

const signer = createSnsSigner();
const certificateUrl = 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem';

function verifier(fetched: string[] = []) {
  return createSnsVerifier({
    certificateUrlPattern: '^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/',
    fetchText: async (url) => {
      fetched.push(url);
      return Promise.resolve(signer.certificatePem);
    },
  });
}

function notification(): Record<string, string> {
  return {
    ...fixture<Record<string, string>>('aws/sns-notification.json'),
    Message: JSON.stringify(fixture('aws/health-retirement-arn-no-resources.json')),
    SigningCertURL: certificateUrl,
  };
}

describe('SNS signature verification', () => {
  it.each(['1', '2'] as const)(
    'accepts a message signed with SignatureVersion %s, fetching the certificate once',
    async (version) => {
      const fetched: string[] = [];
      const check = verifier(fetched);
      const signed = signer.sign(notification(), version);
      await check.verify(parseSnsMessage(signed));
      await check.verify(parseSnsMessage(signer.sign({ ...notification(), MessageId: 'another' }, version)));
      expect(fetched).toEqual([certificateUrl]);
    },
  );

  it('verifies a SubscriptionConfirmation over its own fields', async () => {
    const confirmation = {
      ...fixture<Record<string, string>>('aws/sns-subscription-confirmation.json'),
      SigningCertURL: certificateUrl,
    };
    await verifier().verify(parseSnsMessage(signer.sign(confirmation)));
  });

  it('refuses a tampered message, a certificate from another host, and an unknown signature version', async () => {
    const signed = signer.sign(notification());
    const tampered = { ...signed, Message: signed.Message.replace('us-east-1', 'eu-west-1') };
    await expect(verifier().verify(parseSnsMessage(tampered))).rejects.toMatchObject({
      reason: 'bad_signature',
      field: 'Signature',
    });
    const elsewhere = signer.sign({ ...notification(), SigningCertURL: 'https://evil.example.com/cert.pem' });
    const fetched: string[] = [];
    await expect(verifier(fetched).verify(parseSnsMessage(elsewhere))).rejects.toMatchObject({
      reason: 'bad_signature',
      field: 'SigningCertURL',
    });
    expect(fetched).toEqual([]);
    await expect(verifier().verify(parseSnsMessage({ ...signed, SignatureVersion: '3' }))).rejects.toBeInstanceOf(
      MalformedSensorPayloadError,
    );
  });

  it('names a missing field of the envelope', () => {
    const unsigned: Record<string, string> = notification();
    delete unsigned.Signature;
    expect(() => parseSnsMessage(unsigned)).toThrow(/Signature: missing/);
  });
});
