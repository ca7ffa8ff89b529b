// A dead letter's stored bytes read back: as text for a person, and as the event a replay would submit, checked
// exactly as POST /v1/events checks a body (size, JSON, schema), so a replay is refused for what the API refuses.
import { checkEvent, type EventCheck, type EventCheckOptions } from '../../../core/config/event-validation';

const utf8 = new TextDecoder('utf-8', { fatal: true });

// C0 control characters other than tab, line feed and carriage return: bytes that decode as UTF-8 but are not text.
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The payload as text when its bytes are UTF-8 without control characters (else undefined: show it as base64). */
export function deadLetterPayloadText(payloadBase64: string): string | undefined {
  try {
    const text = utf8.decode(Buffer.from(payloadBase64, 'base64'));
    return controlCharacters.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * The stored record's bytes as an event: at most `maxBytes` (the API's body limit), UTF-8 JSON, a valid event under
 * the edge's `options` (its future skew and declared regions).
 */
export function eventFromStoredPayload(
  payloadBase64: string,
  maxBytes: number,
  options: EventCheckOptions = {},
): EventCheck {
  const bytes = Buffer.from(payloadBase64, 'base64');
  if (bytes.byteLength > maxBytes) {
    return {
      ok: false,
      field: '<payload>',
      problem: `${bytes.byteLength} bytes, more than the ${maxBytes} an event may have; replay a corrected payload`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    const what = error instanceof SyntaxError ? error.message : `not UTF-8 (${(error as Error).message})`;
    return { ok: false, field: '<payload>', problem: `not valid JSON: ${what}` };
  }
  return checkEvent(json, options);
}
