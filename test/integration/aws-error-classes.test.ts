import http from 'node:http';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AwsFailureType, createAwsActivities } from '../../activities/aws';
import { close, listen } from '../../devstack/http-json';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../platform/aws-clients';

/** A stand-in for an AWS endpoint that answers every call with the error it is told to. */
function ec2Error(code: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code>` +
    `<Message>emulated ${code}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`
  );
}

describe('AWS errors become classified activity failures', () => {
  let server: http.Server;
  let aws: AwsClients;
  let answer: { status: number; code: string };
  let calls = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      calls += 1;
      req.resume();
      req.on('end', () => res.writeHead(answer.status, { 'Content-Type': 'text/xml' }).end(ec2Error(answer.code)));
    });
    const port = await listen(server, '127.0.0.1', 0);
    // The project's one client factory, one SDK attempt per call so each case is one request.
    aws = createAwsClients({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` }, { maxAttempts: 1 });
  });
  afterAll(async () => {
    destroyAwsClients(aws);
    await close(server);
  });

  const describeInstance = (): Promise<unknown> =>
    new MockActivityEnvironment().run(
      createAwsActivities({ ec2: aws.ec2, elb: aws.elb }).describeInstance,
      'i-0aaaaaaaaaaaaaaaa',
    );

  it.each([
    { status: 503, code: 'Unavailable', type: AwsFailureType.Unavailable, nonRetryable: false },
    { status: 500, code: 'InternalError', type: AwsFailureType.Unavailable, nonRetryable: false },
    { status: 400, code: 'RequestLimitExceeded', type: AwsFailureType.Throttled, nonRetryable: false },
    { status: 400, code: 'Throttling', type: AwsFailureType.Throttled, nonRetryable: false },
    { status: 400, code: 'InvalidParameterValue', type: AwsFailureType.InvalidRequest, nonRetryable: true },
    { status: 400, code: 'InvalidInstanceID.Malformed', type: AwsFailureType.InstanceNotFound, nonRetryable: true },
  ])('HTTP $status $code is $type (nonRetryable $nonRetryable)', async ({ status, code, type, nonRetryable }) => {
    answer = { status, code };
    const before = calls;

    const attempt = describeInstance();

    await expect(attempt).rejects.toMatchObject({ type, nonRetryable });
    await expect(attempt).rejects.toThrow(/describeInstance\(i-0aaaaaaaaaaaaaaaa\)/);
    expect(calls - before).toBe(1);
  });

  it('treats a connection refused as retryable unavailability', async () => {
    const unreachable = createAwsClients({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }, { maxAttempts: 1 });
    try {
      const attempt = new MockActivityEnvironment().run(
        createAwsActivities({ ec2: unreachable.ec2, elb: unreachable.elb }).drainHost,
        { instanceId: 'i-0aaaaaaaaaaaaaaaa' },
      );
      await expect(attempt).rejects.toMatchObject({ type: AwsFailureType.Unavailable, nonRetryable: false });
      await expect(attempt).rejects.toThrow(/drainHost\(i-0aaaaaaaaaaaaaaaa\).*DescribeInstances/);
    } finally {
      destroyAwsClients(unreachable);
    }
  });
});
