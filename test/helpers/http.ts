import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node:http server on a free 127.0.0.1 port (a wallet's stellar.toml host, a callback receiver). */
export async function listenLocal(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; port: number; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, server };
}
