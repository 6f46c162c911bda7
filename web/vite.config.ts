import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard builds into web/dist, which Cairn serves at `/` (the API stays at /graphql).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/graphql': 'http://localhost:4000', '/files': 'http://localhost:4000' } },
});
