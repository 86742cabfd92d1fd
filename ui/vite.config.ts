import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The browser pages, built into dist/ui beside the server (`npm run build`). Preact needs no
 * plugin: the JSX transform is pointed at it. Pages are served under /ui/ by Baton; the widget
 * script is built as one plain file, `widget.js`, for `<script src>` on any site.
 */
export default defineConfig({
  root: here,
  base: '/ui/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(here, '../dist/ui'),
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        inbox: resolve(here, 'inbox.html'),
        chat: resolve(here, 'chat.html'),
        'chat-frame': resolve(here, 'chat-frame.html'),
        widget: resolve(here, 'src/widget/widget.ts'),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'widget' ? 'widget.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
