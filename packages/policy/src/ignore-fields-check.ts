import { listResources, type FieldIssue, type FormCheck, type LynqForm } from '@lynq/api';
import { checkJsonPath } from './json-path.js';

/**
 * The ignoreFields part of LynqForm admission, for `validateForm(form, { checks: [ignoreFieldsCheck] })`:
 * every path must be valid JSONPath. Message format of Lynq's webhook (reference §2), with the reason.
 */
export const ignoreFieldsCheck: FormCheck = (form: LynqForm) => {
  const errors: FieldIssue[] = [];
  for (const { path, resource } of listResources(form.spec)) {
    (resource.ignoreFields ?? []).forEach((expression, i) => {
      const error = checkJsonPath(expression);
      if (error)
        errors.push({
          path: `${path}.ignoreFields[${i}]`,
          message: `ignoreFields validation failed: invalid ignoreFields in resource '${resource.id}': ${error.message}`,
        });
    });
  }
  return { errors };
};
