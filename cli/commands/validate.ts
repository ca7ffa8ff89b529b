// `lazarus validate [paths]`: load the configuration and print every problem, one per line.
import { join, resolve } from 'node:path';
import { readConfigPaths } from '../../platform/config-files';
import { snapshotVersion } from '../../platform/content-hash';
import { buildSnapshot, formatConfigIssue } from '../../core/config';
import { ExitCode, type CliCommand } from '../command';
import { parseCommandArgs } from '../command-args';
import { defaultConfigRoot } from '../config-root';
import { CliUsageError } from '../errors';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check rules, runbooks, profiles and services; print every problem as file:line:col: path: message',
  help: `Usage: lazarus validate [options] [paths...]

Loads the configuration the way the worker does and reports every problem in one run, one per line:
  file:line:col: field.path: message
Exit status 0 when the configuration is valid, 1 when it is not, 2 on bad arguments.

paths   files or folders that together make up one configuration (YAML files are recognized by their folder:
        rules/, profiles/, profiles/runbooks/, services/). Default: rules/, profiles/ and services/ of the
        nearest folder holding them (the working directory or above), else of the Lazarus checkout.

Options:
  --json    print { valid, version, files, errors } as JSON
  -h, --help

Examples:
  lazarus validate
  lazarus validate rules profiles services
  lazarus validate --json ./config`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    let paths = positionals.map((path) => resolve(io.cwd, path));
    if (paths.length === 0) {
      const root = defaultConfigRoot(io.cwd);
      paths = ['rules', 'profiles', 'services'].map((folder) => join(root, folder));
    }
    let files;
    try {
      files = await readConfigPaths(paths, io.cwd);
    } catch (error) {
      throw new CliUsageError(`cannot read ${paths.join(', ')}: ${(error as Error).message}`);
    }
    const result = buildSnapshot(files, { hashContent: snapshotVersion });
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          {
            valid: !result.errors,
            version: result.snapshot?.version,
            files: files.length,
            errors: result.errors ?? [],
          },
          null,
          2,
        )}\n`,
      );
    } else if (result.errors) {
      io.stdout(`${result.errors.map(formatConfigIssue).join('\n')}\n`);
      io.stderr(`${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} in ${files.length} files\n`);
    } else {
      const { snapshot } = result;
      io.stdout(
        `ok: ${files.length} files, ${Object.keys(snapshot.services).length} services, ` +
          `${Object.keys(snapshot.profiles).length} profiles, ${Object.keys(snapshot.runbooks).length} runbooks; ` +
          `version ${snapshot.version}\n`,
      );
    }
    return result.errors ? ExitCode.Failed : ExitCode.Ok;
  },
};
