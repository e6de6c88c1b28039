import { defineConfig } from 'vite'

// A static page: everything runs in the browser, so the build is all there is to serve.
export default defineConfig({
  build: { target: 'es2023', chunkSizeWarningLimit: 4096 },
  // The test server and the dev server only ever listen on loopback.
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
})
