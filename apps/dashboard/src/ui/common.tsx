// Small shared pieces: the store hook, router links, status badges, tables (conditions, events).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConditionView, EventView, Health, ResourceState } from '../view-model.js';
import type { Store, StoreState } from './store.js';

export const store: { current: Store | undefined } = { current: undefined };

/** Re-renders on every store change. */
export function useStore(): StoreState {
  const s = store.current;
  if (s === undefined) throw new Error('store not initialised');
  const [, setVersion] = useState(0);
  const rendered = s.state;
  useEffect(() => {
    const unsubscribe = s.subscribe(() => setVersion((v) => v + 1));
    // Effects run after paint: a change between this render and the subscription (the first
    // snapshot, typically) would otherwise be missed until the next one.
    if (s.state !== rendered) setVersion((v) => v + 1);
    return unsubscribe;
  }, [s]);
  return s.state;
}

export function navigate(href: string): void {
  history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function enc(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/');
}

const LABELS: Record<Health | ResourceState, string> = {
  ready: 'Ready',
  failed: 'Failed',
  pending: 'Pending',
  skipped: 'Skipped',
  applied: 'Applied',
};

/** A status pill: colour and a word, so colour is never the only signal. */
export function Badge({ status }: { status: Health | ResourceState }) {
  return <span class={`badge s-${status}`}>{LABELS[status]}</span>;
}

export function Pill({ children, title }: { children: ComponentChildren; title?: string }) {
  return (
    <span class="pill" title={title}>
      {children}
    </span>
  );
}

export function Section({
  title,
  id,
  children,
}: {
  title: string;
  id: string;
  children: ComponentChildren;
}) {
  return (
    <section aria-labelledby={id} class="card">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A table of rows under a header of column names; the caption, when given, is for screen readers. */
export function Table({
  caption,
  columns,
  children,
}: {
  caption?: string;
  columns: readonly string[];
  children: ComponentChildren;
}) {
  return (
    <table>
      {caption !== undefined && <caption class="sr-only">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function Conditions({ items }: { items: ConditionView[] }) {
  if (items.length === 0) return <p class="muted">No conditions yet.</p>;
  return (
    <Table caption="Conditions" columns={['Type', 'Status', 'Reason', 'Message', 'Since']}>
      {items.map((c) => (
        <tr key={c.type}>
          <td>{c.type}</td>
          <td>{c.status}</td>
          <td>{c.reason ?? ''}</td>
          <td class="msg">{c.message ?? ''}</td>
          <td>
            <Time at={c.lastTransitionTime} />
          </td>
        </tr>
      ))}
    </Table>
  );
}

export function Events({ items }: { items: EventView[] }) {
  if (items.length === 0) return <p class="muted">No events.</p>;
  return (
    <Table
      caption="Events, newest first"
      columns={['Type', 'Reason', 'Message', 'Count', 'Last seen']}
    >
      {items.map((e, i) => (
        <tr key={i} class={e.type === 'Warning' ? 'warn' : ''}>
          <td>{e.type}</td>
          <td>{e.reason}</td>
          <td class="msg">{e.message}</td>
          <td>{e.count}</td>
          <td>
            <Time at={e.lastTimestamp} />
          </td>
        </tr>
      ))}
    </Table>
  );
}

export function Time({ at }: { at: string | undefined }) {
  if (at === undefined || at === '') return <span class="muted">–</span>;
  const ms = Date.now() - Date.parse(at);
  let text: string;
  if (Number.isNaN(ms)) text = at;
  else if (ms < 60_000) text = `${Math.max(0, Math.round(ms / 1000))}s ago`;
  else if (ms < 3_600_000) text = `${Math.round(ms / 60_000)}m ago`;
  else if (ms < 86_400_000) text = `${Math.round(ms / 3_600_000)}h ago`;
  else text = `${Math.round(ms / 86_400_000)}d ago`;
  return (
    <time dateTime={at} title={at}>
      {text}
    </time>
  );
}

/**
 * Fetches a detail document and fetches it again when the store changes (live), at most once
 * per `minGapMs`. Returns the last document, or the error.
 */
export function useDetail<T>(
  url: string,
  version: number,
  minGapMs = 1000,
): { data?: T; error?: string } {
  const [result, setResult] = useState<{ data?: T; error?: string }>({});
  const last = useRef(0);
  const inFlight = useRef<AbortController | undefined>(undefined);
  const again = useRef(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    setResult({});
    last.current = 0;
    return () => {
      inFlight.current?.abort();
      inFlight.current = undefined;
      window.clearTimeout(timer.current);
    };
  }, [url]);
  useEffect(() => {
    // One request at a time (a browser has six connections per server; the event stream needs
    // one): a change while a request runs asks for one more load when it ends.
    const load = () => {
      if (inFlight.current !== undefined) {
        again.current = true;
        return;
      }
      const abort = new AbortController();
      inFlight.current = abort;
      last.current = Date.now();
      fetch(url, { signal: abort.signal })
        .then(async (r) => {
          const body = (await r.json()) as T & { error?: string };
          if (!r.ok) setResult({ error: body.error ?? `HTTP ${r.status}` });
          else setResult({ data: body });
        })
        .catch((err: unknown) => {
          if (!abort.signal.aborted) setResult((prev) => ({ ...prev, error: String(err) }));
        })
        .finally(() => {
          if (inFlight.current !== abort) return;
          inFlight.current = undefined;
          if (again.current) {
            again.current = false;
            timer.current = window.setTimeout(load, minGapMs);
          }
        });
    };
    window.clearTimeout(timer.current);
    const wait = last.current + minGapMs - Date.now();
    if (wait <= 0) load();
    else timer.current = window.setTimeout(load, wait);
  }, [url, version, minGapMs]);
  return result;
}

export function KeyValues({ entries, label }: { entries: Record<string, string>; label: string }) {
  const keys = Object.keys(entries);
  if (keys.length === 0) return <p class="muted">None.</p>;
  return (
    <dl class="kv" aria-label={label}>
      {keys.map((k) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{entries[k]}</dd>
        </div>
      ))}
    </dl>
  );
}
