import { lynqVitestConfig } from '../../vitest.shared.js';

// Unit tests only (table rendering, log lines, manifests); the dry-run apply on the local control
// plane runs with vitest.int.config.ts.
export default lynqVitestConfig({
  test: { exclude: ['**/node_modules/**', 'src/**/*.int.test.ts'] },
});
