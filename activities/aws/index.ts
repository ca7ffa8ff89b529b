/**
 * AWS activities (EC2, ELBv2) and the single factory for AWS SDK clients. Every call has a short timeout and
 * classified errors: throttling and 5xx retry, validation errors and missing instances fail the step at once.
 */
export * from './activities';
export * from './ec2';
export * from './elb';
export * from './errors';
export * from './hosts';
export * from './polling';
export * from './tags';
