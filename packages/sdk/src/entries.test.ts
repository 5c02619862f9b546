// Each entry of the package loads only what it needs: the builders and the root entry never pull
// in a Kubernetes client, nor do the previews or the plugin kit. Checked on the
// module graph esbuild resolves from the sources (the `@lynq/source` condition, as in tests).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function modulesOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    conditions: ['@lynq/source'],
    logLevel: 'silent',
  });
  // Inputs are relative to the working directory; absolute paths are easier to match.
  return Object.keys(result.metafile.inputs).map((m) => resolve(m));
}

const kubernetesClient = /packages\/runtime\/|@kubernetes\/client-node|packages\/apply\//;

describe('entry points', () => {
  it.each([
    './index.ts',
    './builders/index.ts',
    './render/index.ts',
    './plan/index.ts',
    './plugin/index.ts',
    './plugin/testing.ts',
  ])('%s loads no Kubernetes client', async (entry) => {
    const modules = await modulesOf(entry);
    expect(modules.some((m) => m.includes('packages/api/'))).toBe(true);
    expect(modules.filter((m) => kubernetesClient.test(m))).toEqual([]);
  });

  it('the client entry loads the runtime client (the check above can see it)', async () => {
    const modules = await modulesOf('./client/index.ts');
    expect(modules.some((m) => m.includes('packages/runtime/src/rest-client.ts'))).toBe(true);
  });
});
