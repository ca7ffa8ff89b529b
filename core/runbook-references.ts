// References in runbook step inputs: `${event.host}`, `${params.health_path}`, `${steps.drain.output.targetGroupArns}`,
// `${remediation.id}`. The loader checks them statically (core/config); the workflow resolves them at run time with
// resolveReferences(). Pure and deterministic: workflows import this module.
import type { LazarusEvent } from './event';

export const referenceRoots = ['event', 'params', 'steps', 'remediation'] as const;
export type ReferenceRoot = (typeof referenceRoots)[number];

/** A parsed reference: `${steps.clone.output.instanceId}` → { root: 'steps', path: ['clone', 'output', 'instanceId'] }. */
export interface RunbookReference {
  text: string;
  root: ReferenceRoot;
  path: string[];
}

export interface ReferenceContext {
  event: LazarusEvent;
  params: Readonly<Record<string, unknown>>;
  steps: Readonly<Record<string, { output: Readonly<Record<string, unknown>> }>>;
  remediation: { id: string };
}

/** A reference whose value is not there (yet): the step input cannot be built. */
export class UnresolvableReferenceError extends Error {
  override readonly name = 'UnresolvableReferenceError';
  constructor(
    readonly reference: string,
    readonly reason: string,
  ) {
    super(`cannot resolve \${${reference}}: ${reason}`);
  }
}

/** A reference that is not written as root.name[.name...] with a known root. */
export class MalformedReferenceError extends Error {
  override readonly name = 'MalformedReferenceError';
  constructor(
    readonly reference: string,
    readonly reason: string,
  ) {
    super(`malformed reference \${${reference}}: ${reason}`);
  }
}

const referenceInText = /\$\{([^}]*)\}/g;
const wholeReference = /^\$\{([^}]*)\}$/;
const pathSegment = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Parse the text between `${` and `}`; throws MalformedReferenceError. */
export function parseReference(text: string): RunbookReference {
  const segments = text.trim().split('.');
  const [root, ...path] = segments;
  if (!referenceRoots.includes(root as ReferenceRoot)) {
    throw new MalformedReferenceError(text, `the root must be one of ${referenceRoots.join(', ')}`);
  }
  if (path.length === 0 || path.some((segment) => !pathSegment.test(segment))) {
    throw new MalformedReferenceError(text, 'expected dot-separated names after the root');
  }
  return { text: text.trim(), root: root as ReferenceRoot, path };
}

/** Every `${...}` occurrence in a string, parsed (malformed ones throw). */
export function referencesInString(text: string): RunbookReference[] {
  return [...text.matchAll(referenceInText)].map((match) => parseReference(match[1] ?? ''));
}

/** Every reference anywhere in a JSON value, with the dotted path of the string that holds it. */
export function collectReferences(value: unknown, at = ''): { at: string; text: string }[] {
  if (typeof value === 'string') {
    return [...value.matchAll(referenceInText)].map((match) => ({ at, text: match[1] ?? '' }));
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => collectReferences(item, `${at}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
      collectReferences(item, at === '' ? key : `${at}.${key}`),
    );
  }
  return [];
}

function lookup(reference: RunbookReference, ctx: ReferenceContext): unknown {
  let current: unknown;
  let path = reference.path;
  switch (reference.root) {
    case 'event':
      current = ctx.event;
      break;
    case 'params':
      current = ctx.params;
      break;
    case 'remediation':
      current = ctx.remediation;
      break;
    case 'steps': {
      const [stepId, output, ...rest] = path;
      if (output !== 'output' || stepId === undefined) {
        throw new UnresolvableReferenceError(reference.text, 'step references are written steps.<id>.output.<key>');
      }
      const step = ctx.steps[stepId];
      if (step === undefined) {
        throw new UnresolvableReferenceError(reference.text, `step "${stepId}" has not completed`);
      }
      current = step.output;
      path = rest;
      break;
    }
  }
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) {
      throw new UnresolvableReferenceError(reference.text, `"${segment}" is not there`);
    }
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined) {
    throw new UnresolvableReferenceError(reference.text, 'the value is undefined');
  }
  return current;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface ResolveOptions {
  /** Roots to leave as written (`${steps...}` when explaining a runbook before it runs). */
  keep?: readonly ReferenceRoot[];
}

/**
 * Replace references in a JSON value. A string that is exactly one reference becomes the referenced value as is
 * (number, array, object); references inside a longer string are replaced by their text (JSON for non-strings).
 * Throws UnresolvableReferenceError naming the reference when a value is missing.
 */
export function resolveReferences<T>(value: T, ctx: ReferenceContext, options: ResolveOptions = {}): T {
  return resolveValue(value, ctx, options.keep ?? []) as T;
}

function resolveValue(value: unknown, ctx: ReferenceContext, keep: readonly ReferenceRoot[]): unknown {
  if (typeof value === 'string') {
    const whole = wholeReference.exec(value);
    if (whole) {
      const reference = parseReference(whole[1] ?? '');
      return keep.includes(reference.root) ? value : lookup(reference, ctx);
    }
    return value.replace(referenceInText, (written, inner: string) => {
      const reference = parseReference(inner);
      return keep.includes(reference.root) ? written : asText(lookup(reference, ctx));
    });
  }
  if (Array.isArray(value)) {
    return value.map((item) => resolveValue(item, ctx, keep));
  }
  if (value !== null && typeof value === 'object') {
    const resolved: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      resolved[key] = resolveValue(item, ctx, keep);
    }
    return resolved;
  }
  return value;
}
