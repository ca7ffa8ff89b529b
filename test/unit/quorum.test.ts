import { evaluateQuorum, suspectedPartition, type NodeAnswer } from '../../core/quorum';

function answer(node: string, passed: boolean, status: NodeAnswer['status'] = 'answered'): NodeAnswer {
  return { node, zone: `z-${node}`, status, passed, checks: [] };
}

describe('quorum of checker nodes', () => {
  it('passes with 3 of 3 and with 2 of 3', () => {
    expect(evaluateQuorum([answer('a', true), answer('b', true), answer('c', true)], 3, 2, false)).toBe('passed');
    expect(evaluateQuorum([answer('a', true), answer('b', false), answer('c', true)], 3, 2, false)).toBe('passed');
  });

  it('decides as soon as two nodes passed, without waiting for the third', () => {
    expect(evaluateQuorum([answer('a', true), answer('b', true)], 3, 2, false)).toBe('passed');
  });

  it('fails with 1 of 3, and as soon as the quorum can no longer be reached', () => {
    expect(evaluateQuorum([answer('a', true), answer('b', false), answer('c', false)], 3, 2, false)).toBe('failed');
    expect(evaluateQuorum([answer('b', false), answer('c', false)], 3, 2, false)).toBe('failed');
  });

  it('waits while the quorum is still reachable', () => {
    expect(evaluateQuorum([answer('a', true), answer('b', false)], 3, 2, false)).toBe('pending');
  });

  it('times out when a silent node leaves the quorum unreached', () => {
    expect(evaluateQuorum([answer('a', true), answer('b', false)], 3, 2, true)).toBe('timeout');
    expect(evaluateQuorum([answer('a', true), answer('b', false), answer('c', false, 'silent')], 3, 2, true)).toBe(
      'timeout',
    );
  });

  it('counts a checker error as no', () => {
    expect(evaluateQuorum([answer('a', true), answer('b', true, 'error'), answer('c', false)], 3, 2, false)).toBe(
      'failed',
    );
  });
});

describe('partitions are not host failures', () => {
  const sees = (
    zone: string,
    hostSeen: 'healthy' | 'unhealthy' | 'unreachable' | 'partition_suspected',
    status: NodeAnswer['status'] = 'answered',
  ): NodeAnswer => {
    const down = hostSeen === 'unhealthy' || hostSeen === 'unreachable';
    return {
      node: `node-${zone}`,
      zone,
      status,
      passed: down,
      checks: [{ check: 'HealthCheckDown', passed: down, detail: hostSeen, host_seen: hostSeen, host_zone: 'z-a' }],
    };
  };

  it('names a zone partition when a checker reached neither the host nor its zone peers', () => {
    const answers = [
      sees('z-a', 'unreachable'),
      sees('z-b', 'partition_suspected'),
      sees('z-c', 'partition_suspected'),
    ];

    expect(evaluateQuorum(answers, 3, 2, false)).toBe('partition');
    expect(suspectedPartition(answers)).toEqual({
      kind: 'zone',
      zone: 'z-a',
      unreachable_from: ['z-b', 'z-c'],
      healthy_from: [],
      summary: 'zone z-a is unreachable from the checkers in z-b, z-c (the host and every host of its zone)',
    });
  });

  it('does not act when two checkers saw the host down but a third suspects a partition', () => {
    const answers = [sees('z-a', 'unreachable'), sees('z-c', 'unreachable'), sees('z-b', 'partition_suspected')];

    expect(evaluateQuorum(answers, 3, 2, false)).toBe('partition');
  });

  it('names a host partition when the host answers healthy to one checker and not at all to others', () => {
    const answers = [sees('z-b', 'unreachable'), sees('z-c', 'unreachable'), sees('z-a', 'healthy')];

    expect(evaluateQuorum(answers, 3, 2, false)).toBe('partition');
    expect(suspectedPartition(answers)).toMatchObject({
      kind: 'host',
      unreachable_from: ['z-b', 'z-c'],
      healthy_from: ['z-a'],
    });
  });

  it('waits for the last checker before acting on a host that no checker reached, and acts when it agrees', () => {
    const two = [sees('z-b', 'unreachable'), sees('z-c', 'unreachable')];

    expect(evaluateQuorum(two, 3, 2, false)).toBe('pending');
    expect(evaluateQuorum([...two, sees('z-a', 'unreachable')], 3, 2, false)).toBe('passed');
    expect(suspectedPartition([...two, sees('z-a', 'unreachable')])).toBeUndefined();
  });

  it('acts on an unreachable host at the deadline when the last checker stayed silent', () => {
    const answers = [sees('z-b', 'unreachable'), sees('z-c', 'unreachable')];

    expect(evaluateQuorum(answers, 3, 2, true)).toBe('passed');
    expect(evaluateQuorum([...answers, sees('z-a', 'healthy', 'silent')], 3, 2, false)).toBe('passed');
  });

  it('decides at once on a host that answered unhealthy: it is reachable, so no partition', () => {
    const answers = [sees('z-a', 'unhealthy'), sees('z-b', 'unhealthy')];

    expect(evaluateQuorum(answers, 3, 2, false)).toBe('passed');
    expect(suspectedPartition([...answers, sees('z-c', 'healthy')])).toBeUndefined();
  });

  it('ignores the sightings of a checker that failed', () => {
    const answers = [
      sees('z-a', 'unreachable'),
      sees('z-b', 'unreachable'),
      sees('z-c', 'partition_suspected', 'error'),
    ];

    expect(evaluateQuorum(answers, 3, 2, false)).toBe('passed');
  });
});
