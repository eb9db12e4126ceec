// Builds <strategic-accounts> with Lit inlined, twice: an ES module (widget/dist/strategic-accounts.js)
// for `<script type="module">`, and a classic script (strategic-accounts.iife.js) for the places that
// load scripts the classic way: Salesforce's `loadScript` from a static resource, a Visualforce page.
// The server serves both under /widget/.
import path from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  logLevel: 'warn',
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    lib: {
      entry: path.join(root, 'src', 'strategic-accounts.ts'),
      formats: ['es', 'iife'],
      // The classic script's one global, so its own names stay out of the page's scope.
      name: 'BellwetherStrategicAccounts',
      fileName: (format) => (format === 'es' ? 'strategic-accounts.js' : 'strategic-accounts.iife.js'),
    },
    // Vite's library `es` output keeps whitespace unless the output itself is minified.
    rolldownOptions: { output: { minify: true } },
  },
});
