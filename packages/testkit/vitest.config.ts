import { lynqVitestConfig } from '../../vitest.shared.js';

// Unit tests only; the control plane smoke tests run with vitest.int.config.ts (npm run test:int).
export default lynqVitestConfig({
  test: { exclude: ['**/node_modules/**', 'src/**/*.int.test.ts'] },
});
