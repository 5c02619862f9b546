// @lynq/runtime/testing: for the tests of code built on the runtime. Every piece takes a `Clock`;
// a FakeClock moves time by hand. Kept out of the root entry, which is what runs in production.
export { FakeClock } from './clock.js';
