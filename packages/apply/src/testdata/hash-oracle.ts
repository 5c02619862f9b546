// The Go applied-hash oracle lives in @lynq/testkit, shared with the e2e takeover test.
export { goAppliedHash, goHashes, goHashOracle as oracleBinary } from '@lynq/testkit';
