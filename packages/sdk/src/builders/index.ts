// @lynq/sdk/builders: LynqHub and LynqForm objects, validated as the operator validates them.
export { hub, form, type ObjectOptions, type HubOptions, type FormOptions } from './builders.js';
export { toYaml, toJson } from './output.js';
export { LynqValidationError, formatIssue, type FieldIssue } from '@lynq/api';
