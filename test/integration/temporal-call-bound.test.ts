// The API's bound on one Temporal call (api/dependencies.ts `within`) against the shared dev server: a query of a
// workflow no worker serves answers 503 at the bound, and the call itself is cancelled there, not abandoned. An
// abandoned call goes on inside the client; when the server finally answers it, the client's retry timer makes a new
// call on a connection that may be closed by then and throws "Channel has been shut down" out of that timer (seen as a
// crashed jest worker in CI, and it would be an API process crashing at shutdown).
import { randomUUID } from 'node:crypto';
import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { DependencyUnavailableError } from '../../api/errors';
import { within } from '../../api/dependencies';
import { stackValue } from '../support/stack-env';

/** Records how each gRPC call ends (method and status code) below the client's retry interceptor. */
function recordingInterceptor(ended: Array<{ method: string; code: number }>): Interceptor {
  return (options, nextCall) => {
    const method = options.method_definition.path;
    const requester = new RequesterBuilder()
      .withStart((metadata, _listener, next) => {
        next(
          metadata,
          new ListenerBuilder()
            .withOnReceiveStatus((status, nextStatus) => {
              ended.push({ method, code: status.code });
              nextStatus(status);
            })
            .build(),
        );
      })
      .build();
    return new InterceptingCall(nextCall(options), requester);
  };
}

describe('a bounded Temporal call (api/dependencies.ts within)', () => {
  it('a query no worker answers fails at the bound as temporal unavailable, and the call is cancelled there', async () => {
    const ended: Array<{ method: string; code: number }> = [];
    const connection = await Connection.connect({
      address: stackValue('temporalAddress'),
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), recordingInterceptor(ended)],
    });
    try {
      const client = new Client({ connection, namespace: stackValue('temporalNamespace') });
      const handle = await client.workflow.start('nobodyServesThis', {
        taskQueue: `no-worker-${randomUUID()}`,
        workflowId: `bound-test-${randomUUID()}`,
      });
      try {
        const started = Date.now();
        const error = await within(client, 400, () => handle.query('status')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DependencyUnavailableError);
        expect((error as Error).message).toMatch(/temporal/);
        expect((error as DependencyUnavailableError).detail).toBe('no answer within 400 ms');
        expect(Date.now() - started).toBeLessThan(3000);
        // The query call has ended, as CANCELLED (1): nothing of it is left in the client to retry later.
        const queries = ended.filter((c) => c.method.endsWith('/QueryWorkflow'));
        expect(queries.map((c) => c.code)).toEqual([1]);
      } finally {
        await handle.terminate('test done');
      }
    } finally {
      await connection.close();
    }
  });
});
