// Reads single live objects for the node page: kind → resource through discovery (RestMapper),
// then one GET. Secrets are read as metadata only, so their values never reach this process.
import { KubeClient, RestMapper } from '@lynq/apply';
import { isNotFound, resourcePath, type KubeObject, type RestClient } from '@lynq/runtime';
import type { LiveReader } from './details.js';

const PARTIAL_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export function liveReader(client: RestClient, timeoutMs = 10_000): LiveReader {
  const mapper = new RestMapper(KubeClient.fromRestClient(client));
  return async (ref) => {
    try {
      const mapping = await mapper.resolve(ref.apiVersion, ref.kind);
      const secret = ref.kind === 'Secret' && mapping.group === '';
      const obj = await client.request<KubeObject>({
        path: resourcePath(mapping, ref.namespace, ref.name),
        headers: secret ? { Accept: PARTIAL_ACCEPT } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Metadata-only answers say kind PartialObjectMetadata; readiness rules go by kind.
      return { ...obj, apiVersion: ref.apiVersion, kind: ref.kind };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      return err instanceof Error ? err : new Error(String(err));
    }
  };
}
