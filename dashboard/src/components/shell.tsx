import { A, useLocation, useNavigate } from '@solidjs/router';
import { createEffect, createSignal, For, Show, type JSX } from 'solid-js';
import { logout, session } from '../lib/session.ts';

const NAV = [
  { href: '/', label: 'Dashboard', icon: '◧', end: true },
  { href: '/agents', label: 'Agents', icon: '◉' },
  { href: '/organizations', label: 'Organizations', icon: '▦' },
  { href: '/tokens', label: 'Token tools', icon: '⚿' },
  { href: '/webhooks', label: 'Webhooks', icon: '⇄' },
  { href: '/metrics', label: 'Metrics', icon: '▁▃▆' },
];

/** Sidebar navigation on a laptop, a top bar with a menu button on a phone. */
export function Shell(props: { children?: JSX.Element }) {
  const [menuOpen, setMenuOpen] = createSignal(false);
  const location = useLocation();
  const navigate = useNavigate();
  createEffect(() => {
    location.pathname;
    setMenuOpen(false);
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
        <A href="/" class="brand">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width="28" height="28" />
          <span>MachineAuth</span>
        </A>
        <nav aria-label="Main">
          <For each={NAV}>
            {(item) => (
              <A href={item.href} end={item.end} class="nav-link" activeClass="active">
                <span class="nav-icon" aria-hidden="true">{item.icon}</span>
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
      </aside>
      <div class="backdrop" onClick={() => setMenuOpen(false)} />
      <main class="content">{props.children}</main>
    </div>
  );
}
