import { evaluateQuorum, type NodeAnswer } from '../../core/quorum';

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
