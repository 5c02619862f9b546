import { lynqVitestConfig } from '../../vitest.shared.js';

export default lynqVitestConfig();
