// Which Host headers the dashboard answers. A browser page on an attacker's name that re-resolves
// to the dashboard's address (DNS rebinding) sends that name as Host; refusing unknown names keeps
// it from reading the API. This matters in a pod too: `kubectl port-forward` hands the pod
// whatever Host the browser sent to localhost.
import { isIP } from 'node:net';

/** Host (lower case) without its port; IPv6 keeps its brackets. */
export function hostOf(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d*$/, '');
}

export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]', '::1'];

/**
 * The Host rule of a server listening on `listenHost`. On loopback: the loopback names only. Else
 * also IP literals (kubelet probes, a Service's cluster IP) and cluster-internal names (a single
 * label, `*.svc`, `*.cluster.local`): none of them can be an attacker's public DNS name. Names
 * in `extra` (an Ingress host, say) are accepted on either.
 */
export function hostRule(
  listenHost: string,
  extra: readonly string[] = [],
): (host: string) => boolean {
  const named = new Set([...LOOPBACK_HOSTS, ...extra.map((h) => h.toLowerCase())]);
  const loopbackOnly = LOOPBACK_HOSTS.includes(listenHost) || listenHost.startsWith('127.');
  return (host) => {
    if (named.has(host)) return true;
    if (loopbackOnly || host === '') return false;
    if (isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0) return true;
    if (!/^[a-z0-9.-]+$/.test(host)) return false;
    return !host.includes('.') || host.endsWith('.svc') || host.endsWith('.cluster.local');
  };
}
