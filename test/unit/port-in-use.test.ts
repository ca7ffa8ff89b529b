import net from 'node:net';
import { PortInUseError } from '../../devstack/errors';
import { assertPortFree, freePort } from '../../devstack/service-process';

describe('a busy port', () => {
  it('fails at once with one line naming the service and the address', async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port }, resolve));
    try {
      const check = assertPortFree('Temporal Web UI', '127.0.0.1', port);
      await expect(check).rejects.toBeInstanceOf(PortInUseError);
      await expect(check).rejects.toThrow(`Temporal Web UI: 127.0.0.1:${port} is already in use`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    await expect(assertPortFree('Temporal Web UI', '127.0.0.1', port)).resolves.toBeUndefined();
  });
});
