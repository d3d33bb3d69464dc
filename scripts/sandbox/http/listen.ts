/**
 * Starts a sandbox server on loopback only (127.0.0.1, ephemeral port by default) and closes it
 * without waiting for idle keep-alive connections.
 */
import type { Server } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export type ListenOptions = { host?: string; port?: number };

/** Resolves with the base URL, e.g. `http://127.0.0.1:43567`. Refuses non-loopback hosts. */
export function listen(server: Server, options: ListenOptions = {}): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!LOOPBACK.has(host)) {
    return Promise.reject(new Error(`sandbox servers bind to loopback only; host "${host}" is not 127.0.0.1, ::1 or localhost`));
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new Error(`port must be an integer from 0 to 65535, got ${port}`));
  }
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use; choose another port or 0 for a free one`) : err);
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      if (!addr || typeof addr === 'string') return reject(new Error('server did not report a TCP address'));
      const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve(`http://${h}:${addr.port}`);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Stops accepting connections, drops keep-alive sockets and resolves once the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
    // In-flight requests are not waited for: a sandbox is throwaway state.
    server.closeAllConnections();
  });
}
