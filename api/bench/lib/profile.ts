import { readFileSync } from 'node:fs';
import { table } from './report.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, node itself, our source, or V8's pseudo-frames. */
function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : 'native (crypto, V8 builtins)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(14).split('/')[0] : url.slice(5)}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/api\/src\/(.+)$/.exec(url);
  if (ours) return `api/src/${ours[1]}`;
  return url;
}

function frameKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? url.replace(/^.*\/(node_modules\/|api\/src\/)/, '$1').replace(/^file:\/\//, '') : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

/**
 * Self time by code area and by function, and inclusive time of our own functions, over one or
 * more .cpuprofile files (node --cpu-prof).
 */
export function summarizeProfiles(files: string[]): string {
  const selfByArea = new Map<string, number>();
  const selfByFrame = new Map<string, number>();
  const inclusiveOurs = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    for (let i = 0; i < profile.samples.length; i++) {
      const node = byId.get(profile.samples[i]);
      const dt = profile.timeDeltas[i] ?? 0;
      if (!node || node.callFrame.functionName === '(idle)') continue;
      total += dt;
      const a = area(node.callFrame.url, node.callFrame.functionName);
      selfByArea.set(a, (selfByArea.get(a) ?? 0) + dt);
      const k = frameKey(node);
      selfByFrame.set(k, (selfByFrame.get(k) ?? 0) + dt);
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        const n = byId.get(id)!;
        if (!n.callFrame.url.includes('/api/src/')) continue;
        const key = frameKey(n);
        if (seen.has(key)) continue;
        seen.add(key);
        inclusiveOurs.set(key, (inclusiveOurs.get(key) ?? 0) + dt);
      }
    }
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, `${((v / total) * 100).toFixed(1)}%`, `${(v / 1e6).toFixed(1)} s`]);
  return [
    `busy CPU time sampled: ${(total / 1e6).toFixed(1)} s (idle excluded)`,
    '',
    table(['self time by area', 'share', 'time'], top(selfByArea, 20)),
    '',
    table(['self time by function', 'share', 'time'], top(selfByFrame, 30)),
    '',
    table(['inclusive time, our code', 'share', 'time'], top(inclusiveOurs, 25)),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(summarizeProfiles(process.argv.slice(2)));
