import type { FormCheck } from '@lynq/api';
import { ignoreFieldsCheck } from './ignore-fields-check.js';
import { readyWhenCheck } from './ready-when.js';

/** Every admission check this package provides, for `validateForm(form, { checks: [...policyFormChecks] })`. */
export const policyFormChecks: readonly FormCheck[] = [ignoreFieldsCheck, readyWhenCheck];
