import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Cairn's GraphiQL page builds into web/graphiql/dist. Cairn serves its index.html at /graphql (to a browser)
// and its scripts under /graphiql/, from this process: nothing comes from a CDN.
export default defineConfig({
  root: import.meta.dirname,
  base: '/graphiql/',
  plugins: [react()],
  // Monaco's workers (graphiql/setup-workers/vite imports them with `?worker`) are ES modules of their own.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Monaco is one large chunk and is meant to be: the page is a developer's tool, loaded once and cached.
    chunkSizeWarningLimit: 8192,
    // GraphiQL's packages are compiled by the React Compiler and keep its "use no memo" directives, which mean
    // nothing once bundled: a warning for each would only hide real ones.
    rolldownOptions: { checks: { moduleLevelDirective: false } },
  },
  server: { proxy: { '/graphql': 'http://localhost:4000' } },
});
