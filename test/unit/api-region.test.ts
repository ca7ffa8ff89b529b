// The API's default Lazarus region (api/config.ts apiRegion): requests that name no region are about this one.
import { apiRegion } from '../../api/config';

describe('the API default region', () => {
  const regions = ['us-east-1', 'eu-west-1'];

  it('is LAZARUS_API_REGION when set and declared, and refused (undefined) when it is not declared', () => {
    expect(apiRegion({ LAZARUS_API_REGION: 'eu-west-1' }, 'us-east-1', regions, 'us-east-1')).toBe('eu-west-1');
    expect(apiRegion({ LAZARUS_API_REGION: 'eu-north-1' }, 'us-east-1', regions, 'us-east-1')).toBeUndefined();
  });

  it('is AWS_REGION when that is a declared region, else the home region (region names need not be AWS names)', () => {
    expect(apiRegion({}, 'eu-west-1', regions, 'us-east-1')).toBe('eu-west-1');
    expect(apiRegion({}, 'us-east-1', ['chaos-a1'], 'chaos-a1')).toBe('chaos-a1');
  });
});
