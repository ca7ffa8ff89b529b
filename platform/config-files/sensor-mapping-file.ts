// Reading services/sensors.yaml (the sensor mapping) from disk for the API process and `lazarus explain --from`:
// absent means the defaults; a file that does not load is an error listing every problem as file:line:col.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defaultSensorMapping,
  formatConfigIssue,
  parseYamlSource,
  resolveSensorMapping,
  sensorMappingIssues,
  type SensorMapping,
} from '../../core/config';

export class SensorMappingError extends Error {
  override readonly name = 'SensorMappingError';
}

/** services/sensors.yaml under `configRoot`, with defaults filled in; throws SensorMappingError naming each problem. */
export async function readSensorMapping(configRoot: string): Promise<{ mapping: SensorMapping; file?: string }> {
  const file = join(configRoot, 'services', 'sensors.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { mapping: defaultSensorMapping };
    throw new SensorMappingError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const parsed = parseYamlSource(file, text);
  const issues = parsed.issues.length > 0 ? parsed.issues : sensorMappingIssues(parsed.source);
  if (issues.length > 0) throw new SensorMappingError(issues.map(formatConfigIssue).join('; '));
  return { mapping: resolveSensorMapping(parsed.source.value), file };
}
