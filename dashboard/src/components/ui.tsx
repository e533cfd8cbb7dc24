import { createSignal, For, Match, onCleanup, onMount, Show, Switch, type JSX, type Resource } from 'solid-js';
import { Portal } from 'solid-js/web';
import { describeError } from '../lib/http.ts';
import type { CursorPager } from '../lib/paging.ts';

export function Spinner(props: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{props.label ?? 'Loading…'}</span>
    </div>
  );
}

export function ErrorBox(props: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div class="alert alert-error" role="alert">
      <div>
        <strong>{props.title ?? 'Something went wrong'}</strong>
        <p>{describeError(props.error)}</p>
      </div>
      <Show when={props.onRetry}>
        <button type="button" class="btn btn-small" onClick={() => props.onRetry?.()}>Try again</button>
      </Show>
    </div>
  );
}

export function Empty(props: { title: string; children?: JSX.Element }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      <Show when={props.children}><div class="empty-body">{props.children}</div></Show>
    </div>
  );
}

/**
 * Renders a resource's three states: loading (only the first time, so a refetch keeps the old
 * data on screen), error with a retry, and the data.
 */
export function Async<T>(props: { resource: Resource<T>; refetch?: () => void; loading?: string; children: (data: T) => JSX.Element }) {
  return (
    <Switch>
      <Match when={props.resource.state === 'errored'}>
        <ErrorBox error={props.resource.error} onRetry={props.refetch} />
      </Match>
      <Match when={props.resource.state === 'ready' || props.resource.state === 'refreshing'}>
        {props.children(props.resource.latest as T)}
      </Match>
      <Match when={true}>
        <Spinner label={props.loading} />
      </Match>
    </Switch>
  );
}

export type Tone = 'ok' | 'warn' | 'bad' | 'muted' | 'info';

export function Badge(props: { tone: Tone; children: JSX.Element }) {
  return <span class={`badge badge-${props.tone}`}>{props.children}</span>;
}

export function ActiveBadge(props: { active: boolean }) {
  return <Badge tone={props.active ? 'ok' : 'muted'}>{props.active ? 'active' : 'inactive'}</Badge>;
}

export function StatCard(props: { label: string; value: JSX.Element; hint?: JSX.Element; tone?: Tone }) {
  return (
    <div class={`stat ${props.tone ? `stat-${props.tone}` : ''}`}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{props.value}</div>
      <Show when={props.hint}><div class="stat-hint">{props.hint}</div></Show>
    </div>
  );
}

export function PageHeader(props: { title: string; subtitle?: JSX.Element; actions?: JSX.Element }) {
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        <Show when={props.subtitle}><p class="subtitle">{props.subtitle}</p></Show>
      </div>
      <Show when={props.actions}><div class="page-actions">{props.actions}</div></Show>
    </header>
  );
}

export function Card(props: { title?: JSX.Element; actions?: JSX.Element; children: JSX.Element; class?: string; id?: string }) {
  return (
    <section class={`card ${props.class ?? ''}`} id={props.id}>
      <Show when={props.title || props.actions}>
        <div class="card-header">
          <h2>{props.title}</h2>
          <Show when={props.actions}><div class="card-actions">{props.actions}</div></Show>
        </div>
      </Show>
      {props.children}
    </section>
  );
}

export function Field(props: { label: string; hint?: string; children: JSX.Element; wide?: boolean }) {
  return (
    <label class={`field ${props.wide ? 'field-wide' : ''}`}>
      <span class="field-label">{props.label}</span>
      {props.children}
      <Show when={props.hint}><span class="field-hint">{props.hint}</span></Show>
    </label>
  );
}

/** Copies with the Clipboard API where the page is a secure context, and by selection elsewhere (plain http on a LAN). */
export async function copyText(value: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(value);
      return true;
    }
  } catch {
    // fall through to the selection fallback
  }
  const area = document.createElement('textarea');
  area.value = value;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export function CopyButton(props: { value: string; label?: string }) {
  const [state, setState] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    setState((await copyText(props.value)) ? 'copied' : 'failed');
    clearTimeout(timer);
    timer = setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" class="btn btn-small" onClick={copy} aria-live="polite">
      {state() === 'copied' ? 'Copied' : state() === 'failed' ? 'Select and copy' : (props.label ?? 'Copy')}
    </button>
  );
}

/** A value the server returns exactly once (client secret, API key, webhook secret). */
export function SecretOnce(props: { title: string; values: { label: string; value: string; secret?: boolean }[]; onDismiss: () => void }) {
  return (
    <div class="secret-once" role="region" aria-label={props.title}>
      <div class="secret-once-head">
        <strong>{props.title}</strong>
        <p>Copy it now: it is shown only once and cannot be retrieved later.</p>
      </div>
      <For each={props.values}>
        {(item) => (
          <div class="secret-row">
            <span class="secret-label">{item.label}</span>
            <code class="secret-value" data-secret={item.secret ? 'true' : undefined}>{item.value}</code>
            <CopyButton value={item.value} />
          </div>
        )}
      </For>
      <div class="secret-once-foot">
        <button type="button" class="btn" onClick={() => props.onDismiss()}>I have stored it</button>
      </div>
    </div>
  );
}

export function Modal(props: { title: string; onClose: () => void; children: JSX.Element; wide?: boolean }) {
  let panel!: HTMLDivElement;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') props.onClose();
  };
  onMount(() => {
    document.addEventListener('keydown', onKey);
    panel.querySelector<HTMLElement>('input, select, textarea, button:not(.modal-close)')?.focus();
  });
  onCleanup(() => document.removeEventListener('keydown', onKey));
  return (
    <Portal>
      <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
        <div class={`modal ${props.wide ? 'modal-wide' : ''}`} role="dialog" aria-modal="true" aria-label={props.title} ref={panel}>
          <div class="modal-header">
            <h2>{props.title}</h2>
            <button type="button" class="modal-close" aria-label="Close" onClick={() => props.onClose()}>×</button>
          </div>
          <div class="modal-body">{props.children}</div>
        </div>
      </div>
    </Portal>
  );
}

/** A destructive action behind an explicit confirmation; the server's error is shown in place. */
export function ConfirmDialog(props: {
  title: string;
  message: JSX.Element;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <div class="confirm-message">{props.message}</div>
      <Show when={error()}><ErrorBox error={error()} title="The action failed" /></Show>
      <div class="form-actions">
        <button type="button" class="btn" onClick={() => props.onClose()}>Cancel</button>
        <button type="button" class={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy()} onClick={confirm}>
          {busy() ? 'Working…' : props.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}

/** Previous/next over one page of a Relay connection, with "1–20 of 57". */
export function Pager(props: {
  pager: CursorPager;
  connection: { edges: unknown[]; totalCount?: number; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
}) {
  const count = () => props.connection.edges.length;
  const from = () => props.pager.offset();
  const total = () => props.connection.totalCount;
  return (
    <nav class="pager" aria-label="Pagination">
      <span class="pager-info">
        {count() === 0 ? 'No results' : `${from() + 1}–${from() + count()}${total() !== undefined ? ` of ${total()}` : ''}`}
      </span>
      <div class="pager-buttons">
        <button type="button" class="btn btn-small" disabled={!props.pager.hasPrevious()} onClick={() => props.pager.previous()}>← Previous</button>
        <button type="button" class="btn btn-small" disabled={!props.connection.pageInfo.hasNextPage} onClick={() => props.pager.next(props.connection.pageInfo.endCursor ?? null)}>Next →</button>
      </div>
    </nav>
  );
}

/** Key/value pairs of a record, as a definition list that wraps at phone width. */
export function Details(props: { items: [string, JSX.Element][] }) {
  return (
    <dl class="details">
      <For each={props.items}>
        {([label, value]) => (
          <div class="details-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        )}
      </For>
    </dl>
  );
}

const toasts = createSignal<{ id: number; text: string; tone: Tone }[]>([]);
let toastId = 0;

/** A short confirmation that an action succeeded. */
export function notify(text: string, tone: Tone = 'ok') {
  const id = ++toastId;
  toasts[1]((list) => [...list, { id, text, tone }]);
  setTimeout(() => toasts[1]((list) => list.filter((t) => t.id !== id)), 4000);
}

export function Toasts() {
  return (
    <div class="toasts" aria-live="polite">
      <For each={toasts[0]()}>{(t) => <div class={`toast toast-${t.tone}`}>{t.text}</div>}</For>
    </div>
  );
}
