// A YAML file parsed with positions, so every problem found later can be reported at its line and column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './errors';
import { formatFieldPath } from './schema-validation';

/** A parsed file. The positional document is built only when a problem has to be located (it is costly). */
export interface YamlSource {
  file: string;
  value: unknown;
  positions(): { document: Document; lineCounter: LineCounter };
}

type SimpleValue = string | number | boolean | SimpleValue[] | { [key: string]: SimpleValue };

const simpleKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const plainWord = /^[A-Za-z/][A-Za-z0-9_.\/@+-]*$/;
const plainUrl = /^https?:\/\/[A-Za-z0-9_.\/@+%=&?~-]+$/;
const integer = /^(0|[1-9][0-9]{0,14})$/;
const decimal = /^(0|[1-9][0-9]{0,14})\.[0-9]{1,10}$/;
const duration = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;
/** Words YAML 1.2 (core schema) reads as something other than a string, except plain true and false. */
const reservedWords = /^(null|Null|NULL|~|True|TRUE|False|FALSE|y|n|yes|no|on|off|Y|N|Yes|No|On|Off|YES|NO|ON|OFF)$/;

function simpleScalar(token: string, inFlow: boolean): SimpleValue | undefined {
  if (token === 'true' || token === 'false') {
    return token === 'true';
  }
  if (integer.test(token) || decimal.test(token)) {
    return Number(token);
  }
  if (duration.test(token)) {
    return token;
  }
  if (reservedWords.test(token)) {
    return undefined;
  }
  if (plainWord.test(token) || (!inFlow && plainUrl.test(token))) {
    return token;
  }
  return undefined;
}

function simpleFlow(text: string): SimpleValue | undefined {
  const open = text[0];
  const close = text[text.length - 1];
  if (!((open === '[' && close === ']') || (open === '{' && close === '}'))) {
    return simpleScalar(text, false);
  }
  const inner = text.slice(1, -1).trim();
  if (/[[\]{}"'#&*!|>%`]/.test(inner)) {
    return undefined;
  }
  const items = inner === '' ? [] : inner.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) {
    return undefined;
  }
  if (open === '[') {
    const list: SimpleValue[] = [];
    for (const item of items) {
      const value = simpleScalar(item, true);
      if (value === undefined) {
        return undefined;
      }
      list.push(value);
    }
    return list;
  }
  const map: Record<string, SimpleValue> = {};
  for (const item of items) {
    const match = /^([A-Za-z_][A-Za-z0-9_-]*):\s+(\S+)$/.exec(item);
    const value = match ? simpleScalar(match[2] ?? '', true) : undefined;
    if (!match || value === undefined || Object.prototype.hasOwnProperty.call(map, match[1] ?? '')) {
      return undefined;
    }
    map[match[1] ?? ''] = value;
  }
  return map;
}

/**
 * The common shapes of configuration YAML (block maps of plain words, numbers, durations and one-line flow lists
 * and maps, as service files are) read without the full YAML machinery: loading 10,000 services is dominated by
 * YAML parsing otherwise. Anything outside that subset (block lists, quotes, anchors, multi-line values, tabs,
 * duplicate keys, words YAML reads as null or booleans) returns undefined and goes through the yaml package, so the
 * result is always what the yaml package would produce.
 */
export function parseSimpleYaml(text: string): Record<string, SimpleValue> | undefined {
  const root: Record<string, SimpleValue> = {};
  // Open maps by indentation; `pending` is a key whose nested map starts on the next line.
  const stack: { indent: number; map: Record<string, SimpleValue> }[] = [{ indent: 0, map: root }];
  let pending: { key: string; parent: Record<string, SimpleValue>; indent: number } | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) {
      continue;
    }
    if (line.includes('\t')) {
      return undefined;
    }
    const indent = line.length - content.length;
    if (pending) {
      if (indent <= pending.indent) {
        return undefined; // `key:` with nothing nested is null in YAML: not in the subset
      }
      const nested: Record<string, SimpleValue> = {};
      pending.parent[pending.key] = nested;
      stack.push({ indent, map: nested });
      pending = undefined;
    }
    while (stack.length > 1 && indent < (stack[stack.length - 1]?.indent ?? 0)) {
      stack.pop();
    }
    const current = stack[stack.length - 1];
    if (!current || current.indent !== indent) {
      return undefined;
    }
    const withoutComment = content.replace(/\s+#.*$/, '');
    const colon = withoutComment.indexOf(':');
    const key = colon > 0 ? withoutComment.slice(0, colon) : '';
    if (!simpleKey.test(key) || Object.prototype.hasOwnProperty.call(current.map, key)) {
      return undefined;
    }
    const rest = withoutComment.slice(colon + 1);
    if (rest.trim() === '') {
      pending = { key, parent: current.map, indent };
      continue;
    }
    if (!/^\s/.test(rest)) {
      return undefined;
    }
    const value = simpleFlow(rest.trim());
    if (value === undefined) {
      return undefined;
    }
    current.map[key] = value;
  }
  if (pending || Object.keys(root).length === 0) {
    return undefined;
  }
  return root;
}

function fullParse(text: string): { document: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  return { document, lineCounter };
}

/** Parse a file; syntax errors come back as issues (the value is then unusable). */
export function parseYamlSource(file: string, text: string): { source: YamlSource; issues: ConfigIssue[] } {
  const simple = parseSimpleYaml(text);
  if (simple !== undefined) {
    let parsed: { document: Document; lineCounter: LineCounter } | undefined;
    return {
      source: { file, value: simple, positions: () => (parsed ??= fullParse(text)) },
      issues: [],
    };
  }
  const parsed = fullParse(text);
  const { document, lineCounter } = parsed;
  const issues: ConfigIssue[] = document.errors.map((error) => {
    const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    return { file, line: position.line, column: position.col, path: '', message: error.message.split('\n')[0] ?? '' };
  });
  const value: unknown = issues.length === 0 ? document.toJS({ maxAliasCount: 100 }) : undefined;
  return { source: { file, value, positions: () => parsed }, issues };
}

function positionOfNode(
  lineCounter: LineCounter,
  node: { range?: [number, number, number] | null } | null | undefined,
): { line: number; column: number } | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) {
    return undefined;
  }
  const position = lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

/**
 * Line and column of the field at `segments`: the key of a map entry (so "unknown field" points at the key), the
 * item of a list, or the nearest existing parent when the field is missing.
 */
export function locate(source: YamlSource, segments: readonly (string | number)[]): { line: number; column: number } {
  const { document, lineCounter } = source.positions();
  let node: unknown = document.contents;
  let best = positionOfNode(lineCounter, node as Node) ?? { line: 1, column: 1 };
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) {
        break;
      }
      best = positionOfNode(lineCounter, pair.key as Node) ?? best;
      node = pair.value;
      if (node === null) {
        break;
      }
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      if (item === undefined) {
        break;
      }
      best = positionOfNode(lineCounter, item) ?? best;
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
