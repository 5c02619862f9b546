import { describe, expect, it } from 'vitest';
import { fromZodIssues } from '../issues.js';
import { ConditionTypes, FormReasons, HubReasons, NodeReasons } from '../names.js';
import { StatusCondition } from './common.js';
import { LynqNodeStatus } from './node.js';

const valid = {
  type: 'Ready',
  status: 'True',
  reason: 'Reconciled',
  message: '',
  lastTransitionTime: '2025-06-01T10:00:00Z',
};

function errorsOf(condition: Record<string, unknown>) {
  const parsed = StatusCondition.safeParse(condition, { reportInput: true });
  return parsed.success ? [] : fromZodIssues(parsed.error.issues);
}

describe('StatusCondition (metav1.Condition)', () => {
  it('accepts a condition as Lynq writes it, with an empty message', () => {
    expect(errorsOf(valid)).toEqual([]);
    expect(errorsOf({ ...valid, observedGeneration: 0, type: 'example.com/Synced' })).toEqual([]);
  });

  it.each([
    ['no reason', 'reason', undefined, 'is required'],
    ['an empty reason', 'reason', '', 'must not be empty'],
    ['a reason with a space', 'reason', 'Not Ready', /^must match/],
    ['a reason of 1025 characters', 'reason', 'x'.repeat(1025), 'must be at most 1024 characters'],
    ['no message', 'message', undefined, 'is required'],
    ['a message of 32769 characters', 'message', 'x'.repeat(32769), /at most 32768 characters/],
    ['no lastTransitionTime', 'lastTransitionTime', undefined, 'is required'],
    ['a lastTransitionTime that is no date-time', 'lastTransitionTime', 'yesterday', /RFC 3339/],
    ['a type with !', 'type', 'Ready!', /^must match/],
    ['a type of 317 characters', 'type', 'R'.repeat(317), 'must be at most 316 characters'],
    ['status Maybe', 'status', 'Maybe', /^must be one of True, False, Unknown/],
    ['a negative observedGeneration', 'observedGeneration', -1, /at least 0/],
  ])('rejects %s', (_label, field, value, message) => {
    const condition: Record<string, unknown> = { ...valid };
    if (value === undefined) delete condition[field];
    else condition[field] = value;
    expect(errorsOf(condition)).toContainEqual({
      path: field,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  });

  it('is the schema of every status.conditions of Lynq’s kinds', () => {
    const parsed = LynqNodeStatus.safeParse({ conditions: [{ type: 'Ready', status: 'True' }] });
    expect(parsed.success).toBe(false);
  });

  it('fits every condition type and reason Lynq writes', () => {
    const reasons = [
      ...Object.values(HubReasons),
      ...Object.values(FormReasons),
      ...Object.values(NodeReasons),
    ];
    for (const type of Object.values(ConditionTypes))
      for (const reason of reasons) expect(errorsOf({ ...valid, type, reason })).toEqual([]);
  });
});
