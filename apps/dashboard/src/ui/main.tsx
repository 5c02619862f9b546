// The dashboard UI: one page at a time (history routing), one live store fed by server-sent events.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { navigate, store, useStore } from './common.js';
import { FormPage, HubPage, NodePage, Overview } from './pages.js';
import { Store } from './store.js';
import { Topology } from './topology.js';
import { safeDecode } from './decode.js';

type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('lynq-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function applyTheme(t: Theme) {
  document.documentElement.dataset['theme'] = t;
}

function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path;
}

function route(path: string) {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(safeDecode);
  const [what, ns, name] = parts;
  if (parts.length === 0) return { title: 'Overview', page: <Overview /> };
  if (what === 'topology') return { title: 'Topology', page: <Topology /> };
  if (ns !== undefined && name !== undefined) {
    const id = `${ns}/${name}`;
    if (what === 'hubs') return { title: `Hub ${id}`, page: <HubPage key={id} id={id} /> };
    if (what === 'forms') return { title: `Form ${id}`, page: <FormPage key={id} id={id} /> };
    if (what === 'nodes') return { title: `Node ${id}`, page: <NodePage key={id} id={id} /> };
  }
  return {
    title: 'Not found',
    page: (
      <div class="page">
        <h1>Not found</h1>
        <p>
          No page at {path}. <a href="/">Overview</a>
        </p>
      </div>
    ),
  };
}

function App() {
  const s = useStore();
  const path = usePath();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    applyTheme(theme);
    localStorage.setItem('lynq-theme', theme);
  }, [theme]);
  const { title, page } = route(path);
  useEffect(() => {
    document.title = `${title} · Lynq dashboard`;
    // Move focus to the new page's heading so screen readers announce the navigation.
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [path, s.firstSnapshotAt !== undefined]);
  const failed = s.overview?.nodes.failed ?? 0;
  const link = (href: string, label: string) => (
    <a href={href} aria-current={path === href ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Lynq</span>
        <nav aria-label="Main">
          {link('/', 'Overview')}
          {link('/topology', 'Topology')}
          <a href="/topology?problems=1" class={failed > 0 ? 'alert-link' : ''}>
            Problems ({failed})
          </a>
        </nav>
        <span class={`conn c-${s.connection}`} role="status" aria-live="polite">
          {s.connection === 'live'
            ? 'Live'
            : s.connection === 'reconnecting'
              ? 'Reconnecting…'
              : 'Connecting…'}
        </span>
        <button
          type="button"
          class="theme"
          aria-pressed={theme === 'dark'}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          Dark theme
        </button>
      </header>
      <main id="main" key={path}>
        {s.firstSnapshotAt === undefined ? (
          <p class="page muted" role="status">
            Connecting to the dashboard server…
          </p>
        ) : (
          page
        )}
      </main>
    </>
  );
}

// Same-origin links navigate without a reload (the store and its stream stay).
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
    return;
  const a = (e.target as Element).closest?.('a');
  if (a === null || a === undefined || a.target !== '' || a.origin !== location.origin) return;
  if (a.pathname === location.pathname && a.search === location.search && a.hash !== '') return;
  e.preventDefault();
  navigate(a.pathname + a.search + a.hash);
});

applyTheme(initialTheme());
const s = new Store();
store.current = s;
s.connect();
// A page leaving (or entering the back/forward cache) lets go of its event stream at once: a
// browser has six connections per server, and streams of pages gone would hold them.
addEventListener('pagehide', () => s.close());
addEventListener('pageshow', (e) => {
  if (e.persisted) s.connect();
});
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
