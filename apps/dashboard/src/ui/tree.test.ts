import { describe, expect, it } from 'vitest';
import { formSummary, hubSummary, nodeSummary } from '../summaries.js';
import { event, form, hub, node } from '../testdata/objects.js';
import { defaultExpanded, group, visibleRows } from './tree.js';

function input(count: number, failedEvery = 0) {
  const nodes = new Map(
    Array.from({ length: count }, (_, i) => {
      const failed = failedEvery > 0 && i % failedEvery === 0;
      const n = nodeSummary(
        node(`node-${String(i).padStart(4, '0')}`, 'web', failed ? 'failed' : 'ready'),
        failed
          ? [
              event(
                `node-${i}`,
                'ApplyFailed',
                'Failed to apply resource app: denied',
                '2026-01-01T00:10:01Z',
              ),
            ]
          : [],
      );
      return [n.id, n];
    }),
  );
  return {
    hubs: new Map([['ns/hub', hubSummary(hub('hub', true))]]),
    forms: new Map([['ns/web', formSummary(form('web', 'hub'))]]),
    nodes,
  };
}

describe('topology rows', () => {
  it('shows hubs and forms open, nodes closed, by default', () => {
    const g = group(input(3));
    const rows = visibleRows(g, { expanded: defaultExpanded(g), search: '', problemMode: false });
    expect(rows.map((r) => r.kind)).toEqual(['hub', 'form', 'node', 'node', 'node']);
    expect(rows[2]).toMatchObject({
      level: 3,
      posInSet: 1,
      setSize: 3,
      href: '/nodes/ns/node-0000',
    });
  });

  it('problem mode keeps only failing paths, expanded to the failing resources', () => {
    const g = group(input(10, 5));
    const rows = visibleRows(g, { expanded: new Set(), search: '', problemMode: true });
    const nodes = rows.filter((r) => r.kind === 'node');
    expect(nodes.map((r) => r.label)).toEqual(['node-0000', 'node-0005']);
    expect(nodes.every((r) => r.health === 'failed')).toBe(true);
  });

  it('search finds nodes by uid and opens their path', () => {
    const g = group(input(50));
    const rows = visibleRows(g, { expanded: new Set(), search: 'node-0042', problemMode: false });
    expect(rows.map((r) => r.label)).toEqual(['hub', 'web', 'node-0042']);
  });

  it('a form whose hub is missing still shows, under a failed placeholder hub', () => {
    const i = input(1);
    i.hubs.clear();
    const rows = visibleRows(group(i), {
      expanded: new Set(['hub:ns/hub']),
      search: '',
      problemMode: false,
    });
    expect(rows[0]).toMatchObject({
      kind: 'hub',
      health: 'failed',
      message: 'LynqHub ns/hub does not exist',
    });
  });

  it('groups 2,000 nodes quickly', () => {
    const i = input(2000, 100);
    const started = performance.now();
    const g = group(i);
    const rows = visibleRows(g, { expanded: defaultExpanded(g), search: '', problemMode: false });
    expect(rows).toHaveLength(2002);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
