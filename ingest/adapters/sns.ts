// The SNS envelope of an HTTP(S) subscription (docs.aws.amazon.com/sns/latest/dg/http-notification-json.html and
// sns-verify-signature-of-message.html): a Notification carries the EventBridge event in `Message`; the first message
// is a SubscriptionConfirmation whose SubscribeURL must be fetched to confirm. Every message is signed: the signature
// (SHA1withRSA for SignatureVersion 1, SHA256withRSA for 2) covers "Key\nValue\n" for the message's fields in a fixed
// order, with the key of the X.509 certificate at SigningCertURL, which is fetched only from a host the mapping allows.
import { X509Certificate, createVerify } from 'node:crypto';
import { MalformedSensorPayloadError } from './errors';

export const snsMessageTypes = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
export type SnsMessageType = (typeof snsMessageTypes)[number];

export interface SnsMessage {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  UnsubscribeURL?: string;
}

/** Does this body look like an SNS message (whatever its content type)? */
export function isSnsMessage(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.Type === 'string' &&
    (snsMessageTypes as readonly string[]).includes(record.Type) &&
    typeof record.TopicArn === 'string'
  );
}

/** The SNS message's fields, each checked; a missing one is named. */
export function parseSnsMessage(value: unknown): SnsMessage {
  const record = value as Record<string, unknown>;
  const type = record.Type as SnsMessageType;
  const required = ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL'];
  if (type !== 'Notification') required.push('Token', 'SubscribeURL');
  for (const field of required) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new MalformedSensorPayloadError('aws', field, `missing from the SNS ${type} message`);
    }
  }
  return record as unknown as SnsMessage;
}

/** The text SNS signs, "Key\nValue\n" for each signed field in SNS's order (Subject only when present). */
export function snsStringToSign(message: SnsMessage): string {
  const fields =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let text = '';
  for (const field of fields) {
    const value = (message as unknown as Record<string, unknown>)[field];
    if (field === 'Subject' && (value === undefined || value === null)) continue;
    text += `${field}\n${String(value)}\n`;
  }
  return text;
}

export interface SnsVerifierOptions {
  /** Regular expression a SigningCertURL must match (services/sensors.yaml sns.certificate_url_pattern). */
  certificateUrlPattern: string;
  /** GET a URL's body as text (bounded by a timeout); throws on failure. */
  fetchText(url: string): Promise<string>;
  /** How long a fetched certificate is reused (default 1 hour). */
  cacheMs?: number;
  now?: () => number;
}

export interface SnsVerifier {
  /** Resolves when the signature verifies; throws MalformedSensorPayloadError (bad_signature) when it does not. */
  verify(message: SnsMessage): Promise<void>;
}

export function createSnsVerifier(options: SnsVerifierOptions): SnsVerifier {
  const pattern = new RegExp(options.certificateUrlPattern);
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 3600_000;
  const certificates = new Map<string, { at: number; certificate: Promise<X509Certificate> }>();
  const bad = (field: string, problem: string): MalformedSensorPayloadError =>
    new MalformedSensorPayloadError('aws', field, problem, 'bad_signature');

  function certificateAt(url: string): Promise<X509Certificate> {
    const hit = certificates.get(url);
    if (hit && now() - hit.at < cacheMs) return hit.certificate;
    const certificate = options.fetchText(url).then((pem) => new X509Certificate(pem));
    certificates.set(url, { at: now(), certificate });
    certificate.catch(() => certificates.delete(url));
    return certificate;
  }

  return {
    async verify(message) {
      if (!pattern.test(message.SigningCertURL)) {
        throw bad(
          'SigningCertURL',
          `${message.SigningCertURL} is not an allowed SNS certificate URL (${pattern.source})`,
        );
      }
      const algorithm =
        message.SignatureVersion === '1' ? 'RSA-SHA1' : message.SignatureVersion === '2' ? 'RSA-SHA256' : undefined;
      if (!algorithm) throw bad('SignatureVersion', `"${message.SignatureVersion}" is not 1 or 2`);
      let certificate: X509Certificate;
      try {
        certificate = await certificateAt(message.SigningCertURL);
      } catch (error) {
        throw new MalformedSensorPayloadError(
          'aws',
          'SigningCertURL',
          `the signing certificate could not be read: ${(error as Error).message}`,
          'lookup_failed',
        );
      }
      const at = now();
      if (at < Date.parse(certificate.validFrom) || at > Date.parse(certificate.validTo)) {
        throw bad(
          'SigningCertURL',
          `the signing certificate is not valid now (${certificate.validFrom} to ${certificate.validTo})`,
        );
      }
      const verifier = createVerify(algorithm);
      verifier.update(snsStringToSign(message), 'utf8');
      if (!verifier.verify(certificate.publicKey, message.Signature, 'base64')) {
        throw bad('Signature', `does not verify with the certificate at ${message.SigningCertURL}`);
      }
    },
  };
}
