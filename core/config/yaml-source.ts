// A YAML file parsed with positions, so every problem found later can be reported at its line and column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './errors';
import { formatFieldPath } from './schema-validation';

export interface YamlSource {
  file: string;
  value: unknown;
  document: Document;
  lineCounter: LineCounter;
}

/** Parse a file; syntax errors come back as issues (the value is then unusable). */
export function parseYamlSource(file: string, text: string): { source: YamlSource; issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = document.errors.map((error) => {
    const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    return { file, line: position.line, column: position.col, path: '', message: error.message.split('\n')[0] ?? '' };
  });
  const value: unknown = issues.length === 0 ? document.toJS({ maxAliasCount: 100 }) : undefined;
  return { source: { file, value, document, lineCounter }, issues };
}

function positionOfNode(source: YamlSource, node: { range?: [number, number, number] | null } | null | undefined) {
  const offset = node?.range?.[0];
  if (offset === undefined) {
    return undefined;
  }
  const position = source.lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

/**
 * Line and column of the field at `segments`: the key of a map entry (so "unknown field" points at the key), the
 * item of a list, or the nearest existing parent when the field is missing.
 */
export function locate(source: YamlSource, segments: readonly (string | number)[]): { line: number; column: number } {
  let node: unknown = source.document.contents;
  let best = positionOfNode(source, node as Node) ?? { line: 1, column: 1 };
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) {
        break;
      }
      best = positionOfNode(source, pair.key as Node) ?? best;
      node = pair.value;
      if (node === null) {
        break;
      }
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      if (item === undefined) {
        break;
      }
      best = positionOfNode(source, item) ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best;
}

/** An issue at a field of a parsed file. */
export function issueAt(source: YamlSource, segments: readonly (string | number)[], message: string): ConfigIssue {
  const { line, column } = locate(source, segments);
  return { file: source.file, line, column, path: formatFieldPath(segments), message };
}
