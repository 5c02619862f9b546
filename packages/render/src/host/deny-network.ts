// Imported first by the render process: Node 20's permission model has no network switch, so
// the entry points of every socket, server and name lookup are replaced, before any other module
// loads, by functions that throw, and made read-only. Defence in depth, not a boundary: the
// process holds no credentials, and code that escaped the template engine could still find
// other ways out (see README, "Isolated rendering").
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

export class NetworkDisabledError extends Error {
  override readonly name = 'NetworkDisabledError';
  readonly code = 'ERR_NETWORK_DISABLED';
}

function deny(): never {
  throw new NetworkDisabledError('network access is disabled in the render process');
}

function replaceAll(target: object, names: Iterable<string>): void {
  for (const name of names)
    Object.defineProperty(target, name, { value: deny, writable: false, configurable: false });
}

/** The own function-valued properties of `o` (dns and its Resolver: every query is one). */
function functionNames(o: object): string[] {
  return Object.getOwnPropertyNames(o).filter(
    (k) =>
      k !== 'constructor' && typeof Object.getOwnPropertyDescriptor(o, k)?.value === 'function',
  );
}

// TCP, TLS, HTTP(S), HTTP/2 and fetch all connect through net.Socket; servers listen through
// net.Server; UDP through dgram.Socket.
replaceAll(net.Socket.prototype, ['connect']);
replaceAll(net.Server.prototype, ['listen']);
replaceAll(dgram.Socket.prototype, ['bind', 'connect', 'send']);
for (const o of [dns, dns.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype])
  replaceAll(o, functionNames(o));
// `import { lookup } from 'node:dns'` reads the named exports, which follow the module object
// only when told to.
syncBuiltinESMExports();
