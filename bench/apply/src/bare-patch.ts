// The baseline: Server-Side Apply PATCH requests straight over node:https, no library in between.
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface BarePatcher {
  patch(path: string, body: unknown): Promise<void>;
  close(): void;
}

export async function barePatcher(kc: KubeConfig, maxSockets: number): Promise<BarePatcher> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('kubeconfig: no current cluster');
  const server = new URL(cluster.server);
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls); // only reads the kubeconfig's certificates and token
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
  });
  const auth: Record<string, string> = {};
  const headers = tls.headers;
  const authorization =
    headers !== undefined && !Array.isArray(headers)
      ? (headers as Record<string, unknown>)['Authorization']
      : undefined;
  if (typeof authorization === 'string') auth['Authorization'] = authorization;

  return {
    patch: (path, body) =>
      new Promise((resolve, reject) => {
        const payload = Buffer.from(JSON.stringify(body));
        const req = https.request(
          {
            hostname: server.hostname,
            port: server.port,
            path: `${path}?fieldManager=bench-bare&fieldValidation=Strict`,
            method: 'PATCH',
            agent,
            headers: {
              ...auth,
              Accept: 'application/json',
              'Content-Type': 'application/apply-patch+yaml',
              'Content-Length': String(payload.length),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              if ((res.statusCode ?? 0) >= 300) {
                reject(
                  new Error(`PATCH ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`),
                );
              } else {
                JSON.parse(Buffer.concat(chunks).toString()); // same parsing work as a client would do
                resolve();
              }
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
  };
}
