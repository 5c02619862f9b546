// The topology page: a virtualised tree (only rows in view are in the DOM) with keyboard
// navigation (arrows, Home/End, Enter), search, problem mode and the orphaned-resources panel.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Badge, Section, Table, Time, enc, navigate, useStore } from './common.js';
import { defaultExpanded, group, visibleRows, type Row } from './tree.js';

const ROW_HEIGHT = 34;
const OVERSCAN = 8;

export function Topology() {
  const s = useStore();
  const grouped = useMemo(() => group(s), [s.hubs, s.forms, s.nodes]);
  const [expanded, setExpanded] = useState<Set<string> | undefined>(undefined);
  const [search, setSearch] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [problemMode, setProblemMode] = useState(
    () => new URLSearchParams(location.search).get('problems') === '1',
  );
  // Until the user touches the tree, everything down to forms is open (also for hubs added later).
  const open = expanded ?? defaultExpanded(grouped);
  const rows = useMemo(
    () => visibleRows(grouped, { expanded: open, search, problemMode }),
    [grouped, open, search, problemMode],
  );
  const [focus, setFocus] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const viewport = useRef<HTMLDivElement>(null);
  const focusedKey = useRef<string | undefined>(undefined);
  const wantFocus = useRef(false);

  useEffect(() => {
    const el = viewport.current;
    if (el === null) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keep the focused row (by key) when rows change under it (live updates, expand/collapse).
  const focusIndex = useMemo(() => {
    const i =
      focusedKey.current === undefined ? -1 : rows.findIndex((r) => r.key === focusedKey.current);
    return i >= 0 ? i : Math.min(focus, Math.max(0, rows.length - 1));
  }, [rows, focus]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const shown = rows.slice(first, last);

  useEffect(() => {
    if (!wantFocus.current) return;
    wantFocus.current = false;
    const el = viewport.current?.querySelector<HTMLElement>(`[data-index="${focusIndex}"]`);
    el?.focus({ preventScroll: true });
  });

  const toggle = (row: Row, to?: boolean) => {
    if (!row.expandable) return;
    const next = new Set(open);
    const want = to ?? !row.expanded;
    if (want) next.add(row.key);
    else next.delete(row.key);
    setExpanded(next);
  };

  const moveTo = (i: number) => {
    const index = Math.max(0, Math.min(rows.length - 1, i));
    focusedKey.current = rows[index]?.key;
    setFocus(index);
    wantFocus.current = true;
    const el = viewport.current;
    if (el !== null) {
      const top = index * ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight)
        el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
      setScrollTop(el.scrollTop);
    }
  };

  const onKey = (e: KeyboardEvent) => {
    const row = rows[focusIndex];
    if (row === undefined) return;
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    switch (e.key) {
      case 'ArrowDown':
        moveTo(focusIndex + 1);
        break;
      case 'ArrowUp':
        moveTo(focusIndex - 1);
        break;
      case 'PageDown':
        moveTo(focusIndex + page);
        break;
      case 'PageUp':
        moveTo(focusIndex - page);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'ArrowRight':
        if (row.expandable && !row.expanded) toggle(row, true);
        else if (row.expanded) moveTo(focusIndex + 1);
        break;
      case 'ArrowLeft':
        if (row.expanded) toggle(row, false);
        else if (row.parent !== undefined) moveTo(rows.findIndex((r) => r.key === row.parent));
        break;
      case 'Enter':
        if (row.href !== undefined) navigate(row.href);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const setAll = (openAll: boolean) => {
    if (!openAll) return setExpanded(new Set());
    const all = defaultExpanded(grouped);
    for (const h of grouped.hubs)
      for (const f of h.forms) for (const n of f.nodes) all.add(`node:${n.id}`);
    setExpanded(all);
  };

  const orphans = [...s.orphans.values()];
  const nodes = s.overview?.nodes;
  return (
    <div class="page">
      <h1>Topology</h1>
      <div class="toolbar" role="group" aria-label="Topology controls">
        <label class="search">
          <span>Search</span>
          <input
            type="search"
            value={search}
            placeholder="node, uid, resource…"
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="switch">
          <input
            type="checkbox"
            checked={problemMode}
            onChange={(e) => setProblemMode((e.target as HTMLInputElement).checked)}
          />
          <span>Problem mode (failed paths only)</span>
        </label>
        <button type="button" onClick={() => setAll(true)}>
          Expand all
        </button>
        <button type="button" onClick={() => setAll(false)}>
          Collapse all
        </button>
        <span class="muted" aria-live="polite">
          {rows.length} rows · {nodes?.total ?? 0} nodes ({nodes?.failed ?? 0} failed)
        </span>
      </div>
      <div class="legend" aria-hidden="true">
        <Badge status="ready" /> <Badge status="pending" /> <Badge status="failed" />{' '}
        <Badge status="skipped" />
      </div>
      {rows.length === 0 ? (
        <p class="empty">
          {problemMode
            ? 'No problems: nothing is failing.'
            : search
              ? 'Nothing matches the search.'
              : 'No hubs yet.'}
        </p>
      ) : null}
      <div
        class="tree-viewport"
        ref={viewport}
        onScroll={(e) => setScrollTop((e.target as HTMLDivElement).scrollTop)}
      >
        <div
          role="tree"
          aria-label="Hubs, forms, nodes and resources"
          class="tree"
          onKeyDown={onKey}
          style={{ height: `${rows.length * ROW_HEIGHT}px` }}
        >
          {shown.map((row, i) => {
            const index = first + i;
            return (
              <div
                key={row.key}
                role="treeitem"
                data-index={index}
                data-key={row.key}
                aria-level={row.level}
                aria-setsize={row.setSize}
                aria-posinset={row.posInSet}
                aria-expanded={row.expandable ? row.expanded : undefined}
                aria-selected={index === focusIndex}
                tabIndex={index === focusIndex ? 0 : -1}
                class={`row k-${row.kind} ${row.health === 'failed' ? 'is-failed' : ''}`}
                style={{
                  top: `${index * ROW_HEIGHT}px`,
                  paddingLeft: `${(row.level - 1) * 22 + 6}px`,
                }}
                onClick={() => {
                  focusedKey.current = row.key;
                  setFocus(index);
                }}
                onDblClick={() => toggle(row)}
              >
                <span
                  class="twisty"
                  aria-hidden="true"
                  onClick={(e) => {
                    e.stopPropagation();
                    toggle(row);
                  }}
                >
                  {row.expandable ? (row.expanded ? '▾' : '▸') : ''}
                </span>
                <Badge status={row.health} />
                <span class="kind">{row.kind}</span>
                {row.href !== undefined ? (
                  <a href={row.href} tabIndex={-1} class="name">
                    {row.label}
                  </a>
                ) : (
                  <span class="name">{row.label}</span>
                )}
                <span class="detail">{row.detail}</span>
                {row.message !== undefined ? <span class="problem">{row.message}</span> : null}
              </div>
            );
          })}
        </div>
      </div>
      <Section title={`Orphaned resources (${orphans.length})`} id="orphans">
        {orphans.length === 0 ? (
          <p class="muted">No object carries lynq.sh/orphaned=true.</p>
        ) : (
          <Table
            caption="Objects retained after their node or form entry was removed"
            columns={['Kind', 'Namespace', 'Name', 'Was managed by', 'Reason', 'Since']}
          >
            {orphans.map((o) => (
              <tr key={o.id}>
                <td>{o.kind}</td>
                <td>{o.namespace}</td>
                <td>{o.name}</td>
                <td>{o.node !== '' ? <a href={`/nodes/${enc(o.node)}`}>{o.node}</a> : '–'}</td>
                <td>{o.reason}</td>
                <td>
                  <Time at={o.orphanedAt} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
    </div>
  );
}
