// Why a sensor payload did not become an event. Callers branch on the class: a malformed payload is rejected (and
// counted), an ignored one is acknowledged and dropped (a recovery, a warning: nothing to remediate).

export type SensorName = 'nagios' | 'datadog' | 'aws';

/** The payload is not what the sensor sends: a field is missing or has a value we cannot use. */
export class MalformedSensorPayloadError extends Error {
  override readonly name = 'MalformedSensorPayloadError';
  constructor(
    readonly sensor: SensorName,
    /** The payload field at fault (e.g. `HOSTSTATETYPE`, `tags`, `detail.eventArn`). */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${sensor} payload: ${field}: ${problem}`);
  }
}

/** A well-formed payload that reports nothing to remediate (a recovery, an acknowledgement, a warning). */
export class IgnoredSensorPayloadError extends Error {
  override readonly name = 'IgnoredSensorPayloadError';
  constructor(
    readonly sensor: SensorName,
    readonly reason: string,
  ) {
    super(`${sensor} payload ignored: ${reason}`);
  }
}
