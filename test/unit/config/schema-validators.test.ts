// The compiled validators (core/schemas/validators.generated.ts) are what the schemas compile to today: a schema edited
// without `npm run generate:validators` fails here, naming the command.
import fs from 'node:fs';
import { generatedValidatorsPath, validatorsSource } from '../../../devstack/generate-validators';
import { schemaViolations } from '../../../core/config';

describe('the compiled schema validators', () => {
  it('are what core/schemas/*.schema.json compile to (else: npm run generate:validators)', () => {
    const committed = fs.readFileSync(generatedValidatorsPath, 'utf8');
    const fresh = validatorsSource();
    if (committed !== fresh) {
      throw new Error('core/schemas/validators.generated.ts is stale: run `npm run generate:validators`');
    }
  });

  it('validate with every error: an unknown field, and more than one problem of one document', () => {
    expect(schemaViolations('rule', { name: 'r', colour: 'red' })).toEqual(
      expect.arrayContaining([{ segments: ['colour'], message: 'unknown field' }]),
    );
    expect(schemaViolations('rule', {}).length).toBeGreaterThan(1);
  });
});
