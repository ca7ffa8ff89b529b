import {
  MalformedReferenceError,
  resolveReferences,
  UnresolvableReferenceError,
  type ReferenceContext,
} from '../../../core';
import { eventOf } from './config-fixture';

const ctx: ReferenceContext = {
  event: eventOf({ details: { delta: 3 } }),
  params: { health_path: '/healthz', health_port: 8080 },
  steps: { drain: { output: { targetGroupArns: ['arn:tg/1', 'arn:tg/2'] } } },
  remediation: { id: 'event/nagios/web/i-0abc' },
};

describe('resolveReferences', () => {
  it('gives the raw value for a string that is exactly one reference', () => {
    const resolved = resolveReferences(
      { arns: '${steps.drain.output.targetGroupArns}', port: '${params.health_port}', count: '${event.details.delta}' },
      ctx,
    );
    expect(resolved).toEqual({ arns: ['arn:tg/1', 'arn:tg/2'], port: 8080, count: 3 });
  });

  it('stringifies references inside longer strings', () => {
    expect(resolveReferences('${remediation.id}/clone on port ${params.health_port}', ctx)).toBe(
      'event/nagios/web/i-0abc/clone on port 8080',
    );
    expect(resolveReferences('arns=${steps.drain.output.targetGroupArns}', ctx)).toBe('arns=["arn:tg/1","arn:tg/2"]');
  });

  it('walks arrays and nested objects without changing the input', () => {
    const input = { tags: [{ key: 'replaces', value: '${event.host}' }] };
    const resolved = resolveReferences(input, ctx);
    expect(resolved).toEqual({ tags: [{ key: 'replaces', value: 'i-0abc' }] });
    expect(input.tags[0]?.value).toBe('${event.host}');
  });

  it('throws an UnresolvableReferenceError naming the reference when a step has not completed', () => {
    const act = (): unknown => resolveReferences({ id: '${steps.clone.output.instanceId}' }, ctx);
    expect(act).toThrow(UnresolvableReferenceError);
    expect(act).toThrow('steps.clone.output.instanceId');
  });

  it('throws an UnresolvableReferenceError for a missing event field', () => {
    const act = (): unknown => resolveReferences('${event.host}', { ...ctx, event: eventOf({ host: undefined }) });
    expect(act).toThrow(UnresolvableReferenceError);
  });

  it('rejects an unknown root as malformed', () => {
    expect(() => resolveReferences('${env.HOME}', ctx)).toThrow(MalformedReferenceError);
  });

  it('leaves the kept roots as written', () => {
    expect(resolveReferences(['${steps.clone.output.instanceId}', '${event.host}'], ctx, { keep: ['steps'] })).toEqual([
      '${steps.clone.output.instanceId}',
      'i-0abc',
    ]);
  });
});
