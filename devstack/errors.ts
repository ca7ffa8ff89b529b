// Errors of the local stack: each names the service and what to do about it.

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly service: string,
    readonly address: string,
  ) {
    super(
      `${service}: ${address} is already in use. Is another \`npm start\` (or another server) running? ` +
        'Stop it, or change the port in its configuration.',
    );
  }
}

export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(`${service}: ${message}`);
  }
}

export class DevConfigError extends Error {
  override readonly name = 'DevConfigError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}
