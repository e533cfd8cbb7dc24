import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

/** Where `npm run dev` sends API calls (the API itself serves the built dashboard; this is for development). */
const api = process.env.MACHINEAUTH_API_URL ?? 'http://localhost:8080';
const proxied = ['/api', '/graphql', '/trpc', '/oauth', '/health', '/metrics', '/.well-known'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [solid()],
  server: {
    port: 3000,
    strictPort: true,
    proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target: api, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
