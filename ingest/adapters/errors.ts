// Why a sensor payload did not become an event. Callers branch on the class: an unusable payload is kept as a dead
// letter on the vendor routes (a vendor drops a 4xx answer) and counted; an ignored one is acknowledged and recorded (a
// recovery, a warning: nothing to remediate).
import type { SensorDeadLetterReason } from '../../contracts/dead-letter';

export type SensorName = 'nagios' | 'datadog' | 'aws';

/** The dead-letter reason of an unusable payload (contracts/dead-letter.ts, sensorDeadLetterReasons). */
export type UnusableReason = Exclude<SensorDeadLetterReason, 'unknown_region' | 'schema'>;

/** The payload cannot be used: a field is missing or has a value we cannot use, or the shape is not the vendor's. */
export class MalformedSensorPayloadError extends Error {
  override readonly name = 'MalformedSensorPayloadError';
  readonly reason: UnusableReason;
  constructor(
    readonly sensor: SensorName,
    /** The payload field at fault (e.g. `HOSTSTATETYPE`, `tags`, `detail.eventArn`). */
    readonly field: string,
    readonly problem: string,
    /** Default: missing_field when the problem starts with "missing", else invalid_field. */
    reason?: UnusableReason,
  ) {
    super(`${sensor} payload: ${field}: ${problem}`);
    this.reason = reason ?? (/^missing/.test(problem) ? 'missing_field' : 'invalid_field');
  }
}

/** A well-formed payload that reports nothing to remediate (a recovery, an acknowledgement, a warning). */
export class IgnoredSensorPayloadError extends Error {
  override readonly name = 'IgnoredSensorPayloadError';
  constructor(
    readonly sensor: SensorName,
    readonly reason: string,
    /** A short stable label for metrics (`recovered`, `soft_state`, `closed`, ...). */
    readonly label: string = 'nothing_to_remediate',
  ) {
    super(`${sensor} payload ignored: ${reason}`);
  }
}
