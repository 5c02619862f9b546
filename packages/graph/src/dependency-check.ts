import { listResources, type FieldIssue, type FormCheck, type LynqForm } from '@lynq/api';
import { buildGraph } from './build-graph.js';
import { formatCycle } from './graph-error.js';

const PREFIX = 'dependency validation failed';

/**
 * The dependency part of LynqForm admission, for `validateForm(form, { checks: [dependencyCheck] })`.
 * Reports unknown dependencies and cycles at the offending `dependIds` entry with Lynq's webhook
 * messages (reference §2). Empty and duplicate ids are validateForm's own errors, so resources
 * with those are left out here rather than reported twice.
 */
export const dependencyCheck: FormCheck = (form: LynqForm) => {
  const entries = listResources(form.spec);
  const seen = new Set<string>();
  const kept = entries.filter(({ resource }) => {
    if (resource.id === '' || seen.has(resource.id)) return false;
    seen.add(resource.id);
    return true;
  });
  const result = buildGraph(kept.map((e) => e.resource));
  const errors: FieldIssue[] = [];
  for (const error of result.errors) {
    const entry = kept[error.index];
    if (entry === undefined) continue;
    const path =
      error.dependencyIndex !== undefined && error.dependencyIndex >= 0
        ? `${entry.path}.dependIds[${error.dependencyIndex}]`
        : `${entry.path}.dependIds`;
    switch (error.code) {
      case 'UnknownDependency':
        errors.push({
          path,
          message: `${PREFIX}: resource '${error.resourceId}' depends on non-existent resource '${error.dependencyId ?? ''}'`,
        });
        break;
      case 'SelfReference':
      case 'Cycle':
        errors.push({
          path,
          message: `${PREFIX}: circular dependency detected: ${formatCycle(error.cycle ?? [])}`,
        });
        break;
      // Empty and duplicate ids were filtered out above; validateForm reports them.
      default:
        break;
    }
  }
  return { errors };
};
