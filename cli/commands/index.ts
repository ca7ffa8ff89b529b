/**
 * The `lazarus` subcommands, one module each. To add one, write cli/commands/<name>.ts exporting a CliCommand and
 * list it in cli/command-table.ts.
 */
export * from './explain';
export * from './validate';
