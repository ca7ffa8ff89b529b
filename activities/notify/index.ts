/**
 * Notifications: Slack incoming webhooks (Block Kit), email over SMTP and PagerDuty notes. A failed channel is
 * retried, counted and logged, and never fails the remediation.
 */
export * from './activities';
export * from './messages';
