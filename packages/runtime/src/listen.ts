import type { Server } from 'node:net';

/** Starts `server` on `port` (0: a free one) and `host` (default every IPv4 interface). */
export function listen(server: Server, port: number, host = '0.0.0.0'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes `server` and every connection it still has, kept-alive ones included. */
export function closeNow(server: Server & { closeAllConnections(): void }): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
