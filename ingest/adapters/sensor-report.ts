// What a vendor payload says, before Lazarus decides which service, environment and region it concerns: each vendor
// parser (aws.ts, datadog.ts, nagios.ts) turns a payload into reports, and resolve-report.ts turns a report into an
// event with the sensor mapping (services/sensors.yaml) and the fleet's EC2 facts.
import type { HostStateType } from '../../core/event';
import type { EventAttributes } from '../../core/config/sensor-mapping';
import type { SensorName } from './errors';

export interface SensorReport {
  sensor: SensorName;
  /** Which of the vendor's formats it came in (`eventbridge`, `datadog-default`, `pagerduty-nagios-form`, ...). */
  format: string;
  incident_key: string;
  event_type: string;
  /** The host as the payload names it: an instance id, or a name to resolve through EC2; `field` is where it was. */
  host?: { instance_id?: string; name?: string; field: string };
  /** The payload's tags (Datadog $TAGS and scope, AWS Health entity tags), looked up with the mapping's tag keys. */
  payload_tags: Record<string, string>;
  /** Service, environment, region the payload names outright (Nagios custom variables). */
  payload_attributes: EventAttributes;
  /** The region the event itself reports (AWS Health detail.eventRegion): it always wins. */
  event_region?: string;
  occurred_at: string;
  host_state_type?: HostStateType;
  details: Record<string, unknown>;
  /** An instance that maps to no service: escalated under the mapping's unmapped_service, or dead-lettered. */
  unmapped: 'escalate' | 'dead_letter';
}
