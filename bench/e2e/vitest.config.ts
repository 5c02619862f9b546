import { lynqVitestConfig } from '../../vitest.shared.js';

// Unit tests of the bench's own logic (no cluster); the bench itself is `npm run bench`.
export default lynqVitestConfig();
