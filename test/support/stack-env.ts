// The environment variables the global setup hands to test files (globalSetup can pass only strings).
export const StackEnv = {
  temporalAddress: 'LAZARUS_TEST_TEMPORAL_ADDRESS',
  temporalNamespace: 'LAZARUS_TEST_TEMPORAL_NAMESPACE',
  awsEndpoint: 'LAZARUS_TEST_AWS_ENDPOINT',
  workflowBundle: 'LAZARUS_TEST_WORKFLOW_BUNDLE',
  /** host:port of the PagerDuty emulator's Events API (HTTPS), for pdjs `event({ server })`. */
  pagerDutyEventsServer: 'LAZARUS_TEST_PAGERDUTY_EVENTS_SERVER',
  /** Base URL of the PagerDuty emulator's REST API and /_emulator/ hooks (HTTP). */
  pagerDutyRestUrl: 'LAZARUS_TEST_PAGERDUTY_REST_URL',
  /** Path of the PEM file of the emulator's self-signed certificate, to trust in an https Agent. */
  pagerDutyCaFile: 'LAZARUS_TEST_PAGERDUTY_CA_FILE',
  /** A Slack-shaped webhook URL on the local receiver; its /_receiver/ hooks are on the same origin. */
  slackWebhookUrl: 'LAZARUS_TEST_SLACK_WEBHOOK_URL',
  /** Base URL of the webhook receiver (GET /_receiver/webhooks, /_receiver/emails). */
  receiverUrl: 'LAZARUS_TEST_RECEIVER_URL',
  /** host:port of the local SMTP receiver. */
  smtpAddress: 'LAZARUS_TEST_SMTP_ADDRESS',
  /** Base URL of the fleet simulator's control API. */
  fleetSimulatorUrl: 'LAZARUS_TEST_FLEET_SIMULATOR_URL',
} as const;

export function stackValue(key: keyof typeof StackEnv): string {
  const value = process.env[StackEnv[key]];
  if (!value) {
    throw new Error(
      `${StackEnv[key]} is not set: this test needs the local stack that test/support/global-setup.ts starts ` +
        '(run it through `npm test`, not `npm run test:unit`)',
    );
  }
  return value;
}
