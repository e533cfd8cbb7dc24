import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';

export interface ChartSeries<P> {
  label: string;
  color: string;
  value: (point: P) => number;
  /** What the legend shows: the period's sum (counts) or the last value (a level, like agents). */
  summary?: 'sum' | 'last';
}

const PAD = { top: 12, right: 12, bottom: 24, left: 40 };

/** A round top for the y axis at or above `max`, in four whole-number steps (4, 8, 12, 20, 100…). */
export function niceMax(max: number): number {
  if (max <= 4) return 4;
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]
    .map((m) => m * magnitude)
    .find((candidate) => Number.isInteger(candidate) && candidate >= rough)!;
  return step * 4;
}

function compact(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1000) return `${+(n / 1000).toFixed(1)}k`;
  return String(Math.round(n * 100) / 100);
}

/**
 * A time chart drawn in SVG at the pixel width of its container (so text stays readable on a
 * phone): lines for counts over time, or stacked bars for outcomes that add up.
 */
export function TimeChart<P>(props: {
  points: P[];
  time: (point: P) => string;
  series: ChartSeries<P>[];
  kind?: 'line' | 'bar';
  height?: number;
  interval: 'hour' | 'day';
  label: string;
}) {
  let box!: HTMLDivElement;
  const [width, setWidth] = createSignal(600);
  onMount(() => {
    setWidth(box.clientWidth || 600);
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(240, Math.floor(entry.contentRect.width))));
    observer.observe(box);
    onCleanup(() => observer.disconnect());
  });

  const height = () => props.height ?? 220;
  const innerW = () => width() - PAD.left - PAD.right;
  const innerH = () => height() - PAD.top - PAD.bottom;
  const kind = () => props.kind ?? 'line';

  const totals = createMemo(() => props.points.map((p) => (kind() === 'bar' ? props.series.reduce((sum, s) => sum + s.value(p), 0) : Math.max(0, ...props.series.map((s) => s.value(p))))));
  const top = createMemo(() => niceMax(Math.max(0, ...totals())));
  const empty = () => totals().every((t) => t === 0);
  const n = () => props.points.length;
  const slot = () => innerW() / Math.max(1, n());
  const x = (i: number) => PAD.left + slot() * (i + 0.5);
  const y = (v: number) => PAD.top + innerH() - (v / top()) * innerH();

  const formatTick = (iso: string) => {
    const d = new Date(iso);
    return props.interval === 'hour'
      ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })
      : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  };
  const xTicks = createMemo(() => {
    const count = Math.max(2, Math.min(6, Math.floor(innerW() / 90)));
    const step = Math.max(1, Math.ceil(n() / count));
    return props.points.map((_, i) => i).filter((i) => i % step === 0);
  });
  const tooltip = (p: P) => `${formatTick(props.time(p))}${props.interval === 'day' ? '' : ' UTC'}\n${props.series.map((s) => `${s.label}: ${s.value(p)}`).join('\n')}`;

  const summarise = (s: ChartSeries<P>) =>
    s.summary === 'last' ? (n() ? s.value(props.points[n() - 1]) : 0) : props.points.reduce((sum, p) => sum + s.value(p), 0);
  const linePath = (s: ChartSeries<P>) => props.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(s.value(p)).toFixed(1)}`).join(' ');
  const areaPath = (s: ChartSeries<P>) => `${linePath(s)} L${x(n() - 1).toFixed(1)},${y(0)} L${x(0).toFixed(1)},${y(0)} Z`;

  return (
    <figure class="chart-figure" aria-label={props.label}>
      <div ref={box}>
        <svg class="chart" width={width()} height={height()} viewBox={`0 0 ${width()} ${height()}`} role="img" aria-label={props.label}>
          <For each={[0, 0.25, 0.5, 0.75, 1]}>
            {(f) => (
              <>
                <line class="grid-line" x1={PAD.left} x2={width() - PAD.right} y1={y(top() * f)} y2={y(top() * f)} />
                <text class="axis-label" x={PAD.left - 6} y={y(top() * f) + 4} text-anchor="end">{compact(top() * f)}</text>
              </>
            )}
          </For>
          <For each={xTicks()}>
            {(i) => <text class="axis-label" x={x(i)} y={height() - 6} text-anchor="middle">{formatTick(props.time(props.points[i]))}</text>}
          </For>
          <Show
            when={kind() === 'bar'}
            fallback={
              <For each={props.series}>
                {(s) => (
                  <>
                    <path d={areaPath(s)} fill={s.color} fill-opacity="0.08" />
                    <path d={linePath(s)} fill="none" stroke={s.color} stroke-width="2" stroke-linejoin="round" stroke-linecap="round" />
                  </>
                )}
              </For>
            }
          >
            <For each={props.points}>
              {(p, i) => {
                const barW = () => Math.max(1, slot() * 0.7);
                const segments = () => {
                  let base = 0;
                  return props.series.map((s) => {
                    const v = s.value(p);
                    const seg = { color: s.color, y: y(base + v), h: y(base) - y(base + v) };
                    base += v;
                    return seg;
                  });
                };
                return (
                  <For each={segments()}>
                    {(seg) => <rect x={x(i()) - barW() / 2} y={seg.y} width={barW()} height={Math.max(0, seg.h)} fill={seg.color} rx="1.5" />}
                  </For>
                );
              }}
            </For>
          </Show>
          {/* One invisible column per bucket carries the exact figures as a native tooltip. */}
          <For each={props.points}>
            {(p, i) => (
              <rect x={x(i()) - slot() / 2} y={PAD.top} width={slot()} height={innerH()} fill="transparent">
                <title>{tooltip(p)}</title>
              </rect>
            )}
          </For>
          <Show when={empty()}>
            <text class="axis-label" x={PAD.left + innerW() / 2} y={PAD.top + innerH() / 2} text-anchor="middle">No activity in this period</text>
          </Show>
        </svg>
      </div>
      <figcaption class="legend">
        <For each={props.series}>
          {(s) => (
            <span>
              <span class="legend-swatch" style={{ background: s.color }} />
              {s.label}: <strong>{summarise(s).toLocaleString()}</strong>
            </span>
          )}
        </For>
      </figcaption>
    </figure>
  );
}
