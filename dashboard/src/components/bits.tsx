import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { formatDate, timeAgo } from '../lib/format.ts';
import type { AuditEntry } from '../lib/queries.ts';
import { Badge, Empty, type Tone } from './ui.tsx';

export function Scopes(props: { scopes: string[] }) {
  return (
    <Show when={props.scopes.length > 0} fallback={<span class="sub">none</span>}>
      <span class="chips">
        <For each={props.scopes}>{(scope) => <span class="chip">{scope}</span>}</For>
      </span>
    </Show>
  );
}

/** A relative time with the exact one on hover. */
export function When(props: { at: string | null | undefined }) {
  return <time datetime={props.at ?? undefined} title={formatDate(props.at)}>{timeAgo(props.at)}</time>;
}

const ACTION_TONES: [RegExp, Tone][] = [
  [/deleted|revoked|deactivated|failed|dead/, 'bad'],
  [/rotated|updated|refreshed/, 'warn'],
  [/created|activated|issued|success|delivered/, 'ok'],
];

export function ActionBadge(props: { action: string }) {
  const tone = () => ACTION_TONES.find(([pattern]) => pattern.test(props.action))?.[1] ?? 'info';
  return <Badge tone={tone()}>{props.action}</Badge>;
}

export const EXPIRY_CHOICES: { label: string; seconds: number | null }[] = [
  { label: 'Never', seconds: null },
  { label: '1 day', seconds: 86_400 },
  { label: '30 days', seconds: 30 * 86_400 },
  { label: '90 days', seconds: 90 * 86_400 },
  { label: '1 year', seconds: 365 * 86_400 },
];

/** What an audit entry is about, in a few words: the names and ids its details carry. */
function summary(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['name', 'agent_name', 'client_id', 'slug', 'prefix', 'event', 'url', 'reason']) {
    const v = details[key];
    if (typeof v === 'string' && v) parts.push(v);
  }
  const fields = details.fields;
  if (Array.isArray(fields) && fields.length) parts.push(`changed ${fields.join(', ')}`);
  return parts.join(' · ');
}

export function ActivityFeed(props: { entries: AuditEntry[]; label?: string }) {
  return (
    <Show when={props.entries.length > 0} fallback={<Empty title="No activity yet" />}>
      <ul class="feed" aria-label={props.label ?? 'Recent activity'}>
        <For each={props.entries}>
          {(e) => (
            <li>
              <div>
                <ActionBadge action={e.action} />{' '}
                <Show when={e.agentId && !e.action.endsWith('.deleted')} fallback={<span>{summary(e.details)}</span>}>
                  <A href={`/agents/${e.agentId}`}>{summary(e.details) || `agent ${e.agentId!.slice(0, 8)}`}</A>
                </Show>
                <div class="actor">{e.actor}{e.ipAddress ? ` · ${e.ipAddress}` : ''}</div>
              </div>
              <span class="when"><When at={e.createdAt} /></span>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
