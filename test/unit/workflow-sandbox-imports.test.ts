// Every module the workflow bundle reaches (from workflows/index.ts, following value imports; `import type` is erased
// at build) must run in Temporal's sandbox: no Node built-ins, no package that does I/O. The bundler would only fail
// at worker start, or worse, a module would load and break determinism; this walks the graph in milliseconds.
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'workflows', 'index.ts');

/** Packages a workflow may load: the workflow SDK and the payload/common types it builds on. */
const sandboxPackages = new Set(['@temporalio/workflow', '@temporalio/common']);

interface ValueImport {
  from: string;
  specifier: string;
}

/** Value imports and re-exports of one file; a declaration whose every name is `type` is erased, so skipped. */
function valueImports(file: string): ValueImport[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: ValueImport[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const bindings = clause?.namedBindings;
      const onlyTypeNames =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.every((element) => element.isTypeOnly);
      if (onlyTypeNames) continue;
      found.push({ from: file, specifier: (statement.moduleSpecifier as ts.StringLiteral).text });
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      found.push({ from: file, specifier: (statement.moduleSpecifier as ts.StringLiteral).text });
    }
  }
  return found;
}

function resolveLocal(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${path.relative(root, from)}: cannot resolve "${specifier}"`);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Walks the value-import graph from the entry; returns every module reached and every package import. */
function walk(start: string): { modules: Set<string>; packages: ValueImport[] } {
  const modules = new Set<string>();
  const packages: ValueImport[] = [];
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (modules.has(file)) continue;
    modules.add(file);
    if (!file.endsWith('.ts')) continue; // JSON schemas are data
    for (const use of valueImports(file)) {
      if (use.specifier.startsWith('.')) queue.push(resolveLocal(use.from, use.specifier));
      else packages.push(use);
    }
  }
  return { modules, packages };
}

function offending(packages: readonly ValueImport[]): string[] {
  const builtins = new Set(builtinModules);
  return packages
    .filter(({ specifier }) => {
      const name = packageName(specifier);
      return specifier.startsWith('node:') || builtins.has(name) || !sandboxPackages.has(name);
    })
    .map(({ from, specifier }) => `${path.relative(root, from)} imports "${specifier}"`);
}

describe('the workflow bundle', () => {
  const { modules, packages } = walk(entry);

  it('reaches the remediation and bridge workflows and their pure imports', () => {
    const reached = [...modules].map((file) => path.relative(root, file));
    expect(reached).toEqual(
      expect.arrayContaining([
        'workflows/remediate.ts',
        'workflows/runbook.ts',
        'ingest/bridge/workflows/bridge.ts',
        'contracts/messages.ts',
        'core/outcome.ts',
      ]),
    );
  });

  it('imports no Node built-in and no package that does I/O', () => {
    expect(offending(packages)).toEqual([]);
  });

  it('would name a module that imports a Node built-in or an I/O package', () => {
    const planted = [
      { from: path.join(root, 'workflows', 'x.ts'), specifier: 'node:fs' },
      { from: path.join(root, 'core', 'y.ts'), specifier: 'path' },
      { from: path.join(root, 'contracts', 'z.ts'), specifier: '@aws-sdk/client-ec2' },
      { from: path.join(root, 'workflows', 'w.ts'), specifier: '@temporalio/workflow' },
    ];
    expect(offending(planted)).toEqual([
      'workflows/x.ts imports "node:fs"',
      'core/y.ts imports "path"',
      'contracts/z.ts imports "@aws-sdk/client-ec2"',
    ]);
  });
});
