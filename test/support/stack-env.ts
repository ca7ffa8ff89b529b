// The environment variables the global setup hands to test files (globalSetup can pass only strings).
export const StackEnv = {
  temporalAddress: 'LAZARUS_TEST_TEMPORAL_ADDRESS',
  temporalNamespace: 'LAZARUS_TEST_TEMPORAL_NAMESPACE',
  awsEndpoint: 'LAZARUS_TEST_AWS_ENDPOINT',
  workflowBundle: 'LAZARUS_TEST_WORKFLOW_BUNDLE',
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
