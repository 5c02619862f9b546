import { describe, expect, it } from 'vitest';
import { resolveTypedValue, stripTypeMarker } from './markers.js';

const at = (key: string | number, parentKey?: string, kind = 'Deployment') => ({
  key,
  parentKey,
  kind,
});

describe('typed markers (reference §4)', () => {
  it('turns a leading marker into a number or boolean', () => {
    expect(resolveTypedValue('__LYNQ_TYPE_INT__3', at('replicas', 'spec'))).toBe(3);
    expect(resolveTypedValue('__LYNQ_TYPE_INT__-42', at(0, 'args'))).toBe(-42);
    expect(resolveTypedValue('__LYNQ_TYPE_FLOAT__1.5', at('ratio', 'spec'))).toBe(1.5);
    expect(resolveTypedValue('__LYNQ_TYPE_FLOAT__1e+06', at('ratio', 'spec'))).toBe(1e6);
    expect(resolveTypedValue('__LYNQ_TYPE_BOOL__true', at('paused', 'spec'))).toBe(true);
    expect(resolveTypedValue('__LYNQ_TYPE_BOOL__false', at('paused', 'spec'))).toBe(false);
  });

  it('keeps the string, marker included, when the value does not parse', () => {
    expect(resolveTypedValue('__LYNQ_TYPE_INT__3abc', at('replicas', 'spec'))).toBe(
      '__LYNQ_TYPE_INT__3abc',
    );
    expect(resolveTypedValue('__LYNQ_TYPE_BOOL__maybe', at('x', 'spec'))).toBe(
      '__LYNQ_TYPE_BOOL__maybe',
    );
    expect(resolveTypedValue('__LYNQ_TYPE_FLOAT__NaN', at('x', 'spec'))).toBe(
      '__LYNQ_TYPE_FLOAT__NaN',
    );
  });

  it('only resolves markers at the start', () => {
    expect(resolveTypedValue('x __LYNQ_TYPE_INT__3', at('replicas', 'spec'))).toBe(
      'x __LYNQ_TYPE_INT__3',
    );
    expect(resolveTypedValue('3', at('replicas', 'spec'))).toBe('3');
  });

  it('strips the marker where Kubernetes wants strings', () => {
    expect(resolveTypedValue('__LYNQ_TYPE_INT__1', at('apiVersion'))).toBe('1');
    expect(resolveTypedValue('__LYNQ_TYPE_BOOL__true', at('kind'))).toBe('true');
    for (const parent of ['labels', 'annotations', 'matchLabels', 'nodeSelector'])
      expect(resolveTypedValue('__LYNQ_TYPE_INT__7', at('k', parent))).toBe('7');
    for (const kind of ['ConfigMap', 'Secret'])
      for (const parent of ['data', 'binaryData', 'stringData'])
        expect(resolveTypedValue('__LYNQ_TYPE_FLOAT__0.5', at('k', parent, kind))).toBe('0.5');
    // data of other kinds is typed.
    expect(resolveTypedValue('__LYNQ_TYPE_INT__7', at('k', 'data', 'MyResource'))).toBe(7);
  });

  it('strips markers for name, label and annotation templates', () => {
    expect(stripTypeMarker('__LYNQ_TYPE_INT__7')).toBe('7');
    expect(stripTypeMarker('plain')).toBe('plain');
  });
});
