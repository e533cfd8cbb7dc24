import { A, useLocation, useNavigate } from '@solidjs/router';
import { createEffect, createSignal, ErrorBoundary, For, Show, type JSX } from 'solid-js';
import { ErrorBox } from './ui.tsx';
import { logout, session } from '../lib/session.ts';

/** 20×20 outline icons, drawn here so they never depend on the fonts a machine has. */
const ICONS: Record<string, string> = {
  dashboard: 'M3 3h6v8H3zM11 3h6v5h-6zM11 10h6v7h-6zM3 13h6v4H3z',
  agents: 'M10 3a3 3 0 1 1 0 6a3 3 0 0 1 0-6zM4 17c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5',
  organizations: 'M3 17V5l7-2v14M10 7h7v10M6 8h1M6 11h1M6 14h1M13 10h1M13 13h1',
  tokens: 'M7 13a4 4 0 1 1 2.8-6.8L17 6v3h-2v2h-2l-2.3-.1A4 4 0 0 1 7 13zM6 9.5h.01',
  webhooks: 'M4 7h10l-3-3M16 13H6l3 3',
  metrics: 'M3 17h14M5 14V9M9 14V5M13 14v-3M17 14V7',
};

const NAV = [
  { href: '/', label: 'Dashboard', icon: 'dashboard', end: true },
  { href: '/agents', label: 'Agents', icon: 'agents' },
  { href: '/organizations', label: 'Organizations', icon: 'organizations' },
  { href: '/tokens', label: 'Token tools', icon: 'tokens' },
  { href: '/webhooks', label: 'Webhooks', icon: 'webhooks' },
  { href: '/metrics', label: 'Metrics', icon: 'metrics' },
];

function Icon(props: { name: string }) {
  return (
    <svg class="nav-icon" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">
      <path d={ICONS[props.name]} />
    </svg>
  );
}

/** Sidebar navigation on a laptop, a top bar with a menu button on a phone. */
export function Shell(props: { children?: JSX.Element }) {
  const [menuOpen, setMenuOpen] = createSignal(false);
  const location = useLocation();
  const navigate = useNavigate();
  let clearPageError: (() => void) | undefined;
  createEffect(() => {
    location.pathname;
    setMenuOpen(false);
    // A page that failed to draw must not keep the next page from showing.
    clearPageError?.();
    clearPageError = undefined;
  });
  const signOut = async () => {
    await logout().catch(() => {});
    navigate('/login', { replace: true });
  };
  return (
    <div class="shell" classList={{ 'menu-open': menuOpen() }}>
      <header class="topbar">
        <button type="button" class="menu-toggle" aria-label="Menu" aria-expanded={menuOpen()} onClick={() => setMenuOpen(!menuOpen())}>
          <span /><span /><span />
        </button>
        <A href="/" class="brand brand-top">MachineAuth</A>
      </header>
      <aside class="sidebar">
        <div class="sidebar-inner">
          <A href="/" class="brand">
            <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width="28" height="28" />
            <span>MachineAuth</span>
          </A>
          <nav aria-label="Main">
            <For each={NAV}>
              {(item) => (
                <A href={item.href} end={item.end} class="nav-link" activeClass="active">
                  <Icon name={item.icon} />
                  {item.label}
                </A>
              )}
            </For>
          </nav>
          <div class="sidebar-foot">
            <Show when={session()}>
              <div class="who" title={session()!.email}>{session()!.email}</div>
            </Show>
            <button type="button" class="btn btn-block" onClick={signOut}>Log out</button>
          </div>
        </div>
      </aside>
      <div class="backdrop" onClick={() => setMenuOpen(false)} />
      <main class="content">
        {/* A page that fails while drawing shows what went wrong instead of going blank. */}
        <ErrorBoundary fallback={(error, reset) => ((clearPageError = reset), <ErrorBox error={error} onRetry={reset} />)}>{props.children}</ErrorBoundary>
      </main>
    </div>
  );
}
