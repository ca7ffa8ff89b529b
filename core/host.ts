// What Lazarus knows about a host (an EC2 instance): enough to clone it and to tell it apart.

export type InstanceId = string;

export interface HostFacts {
  instanceId: InstanceId;
  state: string;
  imageId?: string;
  instanceType?: string;
  subnetId?: string;
  availabilityZone?: string;
  privateIpAddress?: string;
  securityGroupIds: string[];
  instanceProfileArn?: string;
  tags: Record<string, string>;
}
