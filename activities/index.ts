/**
 * Every side effect of Lazarus, as Temporal activities built by factories that take their dependencies.
 * One folder or file per outside system; workflows import only their types.
 */
import { createEc2Activities, type AwsClients, type Ec2Activities } from './aws';

export * from './aws';

export interface ActivityDependencies {
  aws: AwsClients;
}

/** Every activity the `lazarus` task queue serves. */
export type LazarusActivities = Ec2Activities;

export function createActivities(deps: ActivityDependencies): LazarusActivities {
  return {
    ...createEc2Activities({ ec2: deps.aws.ec2 }),
  };
}
