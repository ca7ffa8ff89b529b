/**
 * PagerDuty through @pagerduty/pdjs: acknowledge and resolve pages by incident key (Events API v2 dedup_key),
 * escalate through the REST API with a note, all inside PagerDuty's 60-second acknowledgement budget.
 */
export * from './activities';
export * from './client';
export * from './errors';
