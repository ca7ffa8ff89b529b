// Quorum over checker nodes: the same precondition checks run on N nodes (one per availability zone) and the
// remediation goes ahead only when `quorum` of them pass before the deadline. A node that does not answer in time
// counts as no.
import type { PreconditionCheck } from './resolved-config';

export interface CheckResult {
  check: PreconditionCheck;
  passed: boolean;
  /** What the node saw: "3 active hosts, need 2", "unreachable from us-east-1a: ECONNREFUSED", ... */
  detail: string;
}

export interface NodeAnswer {
  node: string;
  zone: string;
  /** answered: all checks ran (passed or not); silent: no answer by the deadline; error: the checker failed. */
  status: 'answered' | 'silent' | 'error';
  passed: boolean;
  checks: CheckResult[];
  error?: string;
  elapsed_ms?: number;
}

export type QuorumVerdict = 'pending' | 'passed' | 'failed' | 'timeout';

export interface QuorumResult {
  verdict: Exclude<QuorumVerdict, 'pending'>;
  needed: number;
  passes: number;
  answers: NodeAnswer[];
}

/**
 * Decides as early as the answers allow: passed once `quorum` nodes passed; failed once too few nodes remain to
 * reach it; timeout when the deadline left nodes silent and the quorum was not reached.
 */
export function evaluateQuorum(
  answers: readonly NodeAnswer[],
  nodeCount: number,
  quorum: number,
  deadlinePassed: boolean,
): QuorumVerdict {
  const passes = answers.filter((a) => a.status === 'answered' && a.passed).length;
  if (passes >= quorum) return 'passed';
  const stillOpen = deadlinePassed ? 0 : nodeCount - answers.length;
  if (passes + stillOpen >= quorum) return 'pending';
  return answers.some((a) => a.status === 'silent') || (deadlinePassed && answers.length < nodeCount)
    ? 'timeout'
    : 'failed';
}
