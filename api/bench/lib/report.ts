import type { Figures } from './load.ts';

/** A plain-text table with right-aligned numbers (also valid Markdown). */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [line(cells[0]), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export const fmt = {
  rps: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString()),
  ratio: (n: number) => `${n.toFixed(2)}×`,
};

export function figuresRow(label: string, f: Figures): (string | number)[] {
  const cpu = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));
  return [label, fmt.rps(f.rps), fmt.ms(f.p50), fmt.ms(f.p99), fmt.ms(f.max), f.errors, f.non2xx, cpu(f.cpuMs), cpu(f.dbCpuMs)];
}

export const FIGURES_HEADER = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'CPU ms/req', 'DB CPU ms/req'];
