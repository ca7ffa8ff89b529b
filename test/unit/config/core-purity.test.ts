import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import profileSchema from '../../../core/schemas/profile.schema.json';
import serviceSchema from '../../../core/schemas/service.schema.json';
import { repoRoot } from './config-fixture';

/** Every module reachable by relative imports from a core entry point, with the bare imports it makes. */
function bareImportsReachableFrom(entry: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (found.has(file)) {
      return;
    }
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'/g)].map((match) => match[1] ?? '');
    found.set(
      file,
      specifiers.filter((specifier) => !specifier.startsWith('.')),
    );
    for (const specifier of specifiers.filter((candidate) => candidate.startsWith('.'))) {
      const base = join(dirname(file), specifier);
      const target = [`${base}.ts`, join(base, 'index.ts'), base].find((path) => {
        try {
          readFileSync(path);
          return true;
        } catch {
          return false;
        }
      });
      if (target?.endsWith('.ts')) {
        visit(target);
      }
    }
  };
  visit(entry);
  return found;
}

describe('what workflows may import', () => {
  it.each(['core/runbook-references.ts', 'core/duration.ts'])('%s imports no packages and no node modules', (entry) => {
    const imports = bareImportsReachableFrom(join(repoRoot, entry));
    expect([...imports.values()].flat()).toEqual([]);
  });
});

describe('the profile and service schemas', () => {
  it('describe parameters and notifications the same way, so any profile parameter can be overridden', () => {
    expect(serviceSchema.properties.params).toEqual(profileSchema.properties.params);
    expect(serviceSchema.properties.notifications).toEqual(profileSchema.properties.notifications);
    expect(serviceSchema.definitions).toEqual(profileSchema.definitions);
  });
});
