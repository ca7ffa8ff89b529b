// AWS clients pointed at the test run's emulator, made through the project's one client factory.
import { createAwsClients, type AwsClients } from '../../platform/aws-clients';
import { stackValue } from './stack-env';

export const testRegion = 'us-east-1';

export function testAwsClients(): AwsClients {
  return createAwsClients({ region: testRegion, endpoint: stackValue('awsEndpoint') });
}
