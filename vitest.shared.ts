// One vitest setup for every package: tests import sibling packages from their TypeScript
// sources (the `@lynq/source` export condition), so no package has to be built before testing.
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

// vitest hands ssr.resolve.conditions to its workers as `node --conditions`; adding `import` or
// `module` there would make require() inside CommonJS dependencies (pg → pg-pool) load ESM entries.
const conditions = ['@lynq/source', 'node'];

export function lynqVitestConfig(overrides: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(
    defineConfig({
      resolve: { conditions },
      ssr: { resolve: { conditions } },
      test: {
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        environment: 'node',
        testTimeout: 20_000,
        hookTimeout: 120_000,
      },
    }),
    overrides,
  );
}
