import { applyFormDefaults, validateForm } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { ignoreFieldsCheck } from './ignore-fields-check.js';
import { checkJsonPath, JsonPathError } from './json-path.js';

describe('checkJsonPath', () => {
  it.each([
    '$.spec.replicas',
    '$.spec.template.spec.containers[0].image',
    '$.spec.template.spec.containers[*].image',
    "$.metadata.annotations['app.kubernetes.io/name']",
    '$.metadata.labels["tier"]',
    "$.spec.containers[?(@.status == 'active')].image",
    '$.spec.ports[?(@.port > 80 && @.protocol == "TCP")]',
    '$..image',
    '$.spec.*',
    '$.items[1:3]',
    '$.items[-1:]',
    '$.items[0,2]',
    'spec.replicas',
  ])('accepts %s', (path) => {
    expect(checkJsonPath(path)).toBeUndefined();
  });

  it.each([
    ['', 'empty path'],
    ['$.spec[', 'missing "]"'],
    ['$.spec.[0]', 'unexpected "[" after "."'],
    ['$.spec.', 'a field name must follow "."'],
    ["$['unterminated", "unterminated string (missing ')"],
    ['$.a b', 'unexpected " "'],
    ['$[?(@.x ==)]', 'bad filter expression'],
    ['$[?(launch())]', 'bad filter expression'],
    ['$.a[?@.x]', 'a filter must be written ?(expression)'],
    ['$.a[(@.length-1)]', 'unsupported selector'],
    ['$.a[]', 'empty brackets'],
    ['#.a', 'expected "$"'],
    ["$[?(@.constructor.constructor('x')())]", 'may not use constructor'],
    ['$[?(@.__proto__)]', 'may not use __proto__'],
  ])('rejects %j (%s)', (path, detail) => {
    const error = checkJsonPath(path);
    expect(error).toBeInstanceOf(JsonPathError);
    expect(error?.message).toContain(`invalid JSONPath ${JSON.stringify(path)}`);
    expect(error?.detail).toContain(detail);
  });
});

describe('ignoreFieldsCheck', () => {
  it('reports bad paths at their index with Lynq’s message', () => {
    const form = applyFormDefaults({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        hubId: 'hub',
        deployments: [
          {
            id: 'app',
            nameTemplate: 'app',
            ignoreFields: ['$.spec.replicas', '$.spec['],
            spec: { apiVersion: 'apps/v1', kind: 'Deployment' },
          },
        ],
      },
    });
    const result = validateForm(form, { checks: [ignoreFieldsCheck] });
    expect(result.errors).toEqual([
      {
        path: 'spec.deployments[0].ignoreFields[1]',
        message:
          'ignoreFields validation failed: invalid ignoreFields in resource \'app\': invalid JSONPath "$.spec[": missing "]" (at character 7)',
      },
    ]);
  });
});
