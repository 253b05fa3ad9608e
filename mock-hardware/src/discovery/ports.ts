/**
 * Finding a port that is free for UDP (and optionally TCP) on one address. External daemons (ipmi_sim, dnsmasq)
 * need a concrete port on their command line, so "bind to 0" is not an option for them.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function udpFree(address: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, address, () => {
      const bound = s.address().port;
      s.close(() => resolve(bound));
    });
  });
}

function tcpFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, address, () => srv.close(() => resolve(true)));
  });
}

/**
 * Returns a port that was free for UDP (and TCP when `tcp` is set) on `address` a moment ago. There is a small race
 * with other processes; callers that spawn a daemon on it should treat a start failure as retryable.
 */
export async function freePort(address = '127.0.0.1', opts: { tcp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await udpFree(address, 0);
    if (port === undefined) continue;
    if (!opts.tcp || (await tcpFree(address, port))) return port;
  }
  throw new Error(`no free port on ${address}`);
}
