// A TCP relay between the operator and a database, so a scenario can take "the database" away
// (and give it back) without touching the shared MariaDB/PostgreSQL. It has the faults of a network
// in between: the server gone (connection refused), a black hole (connections accepted, nothing
// ever answered, open ones frozen) and a reset of every open connection. The deletion-guard
// scenario and the fault suite share it.
import { connect, createServer, type Server, type Socket } from 'node:net';

export type TcpProxyMode = 'pass' | 'refuse' | 'blackhole';

export interface TcpProxy {
  /** The loopback port the proxy listens on (stable across every mode change). */
  readonly port: number;
  readonly mode: TcpProxyMode;
  /** Connections accepted so far (a figure: how hard the operator knocked while it was down). */
  readonly accepted: number;
  /** Relay again (listening again after `refuse`; frozen connections are cut, new ones relay). */
  pass(): Promise<void>;
  /** Stop listening and cut every open connection: connection refused. */
  refuse(): Promise<void>;
  /** Keep listening, relay nothing: new and open connections hang until the client gives up. */
  blackhole(): Promise<void>;
  /** Cut every open connection, keep the mode (e.g. after a password change on the server). */
  reset(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: TcpProxyMode = 'pass';
  let server: Server | undefined;
  let port = 0;
  let accepted = 0;

  const drop = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  const relay = (pair: Pair) => {
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => drop(pair)).on('close', () => drop(pair));
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
  };

  const onConnection = (client: Socket) => {
    accepted++;
    const pair: Pair = { client, upstream: undefined };
    pairs.add(pair);
    client.on('error', () => drop(pair)).on('close', () => drop(pair));
    // In a black hole the client's bytes are read and thrown away: it waits for an answer.
    if (mode === 'blackhole') client.resume();
    else relay(pair);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const address = s.address();
        if (typeof address === 'object' && address !== null) port = address.port;
        server = s;
        resolve();
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (s === undefined) resolve();
      else s.close(() => resolve());
    });

  const cutAll = () => {
    for (const pair of [...pairs]) drop(pair);
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    pass: async () => {
      // Frozen connections are useless to their clients; cut them so they reconnect.
      if (mode === 'blackhole') cutAll();
      mode = 'pass';
      if (server === undefined) await listen();
    },
    refuse: async () => {
      mode = 'refuse';
      const closing = stopListening();
      cutAll();
      await closing;
    },
    blackhole: async () => {
      mode = 'blackhole';
      if (server === undefined) await listen();
      // Open connections stay open but carry nothing more in either direction.
      for (const pair of pairs) {
        pair.client.unpipe();
        pair.upstream?.unpipe();
        pair.client.resume();
        pair.upstream?.resume();
      }
    },
    reset: cutAll,
    close: async () => {
      mode = 'refuse';
      const closing = stopListening();
      cutAll();
      await closing;
    },
  };
}
