// One build of two things (`vite build`, the builder building both environments in turn):
// - `client`: <strategic-accounts> with Lit inlined, twice: an ES module (widget/dist/strategic-accounts.js)
//   for `<script type="module">`, and a classic script (strategic-accounts.iife.js) for the places that
//   load scripts the classic way: Salesforce's `loadScript` from a static resource, a Visualforce page.
//   A classic script cannot share chunks, which is why the console is a build of its own.
// - `console`: the admin console (widget/dist/console/console.js and its chunks), served at `/`. Its
//   "My accounts" page loads the element as a chunk of its own, so the shell stays small.
// The server serves the first under /widget/ and the second under /console/.
import path from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
const dist = path.join(root, 'dist');

export default defineConfig({
  root,
  logLevel: 'warn',
  builder: {
    // In turn: the widget's build empties widget/dist, which holds the console's folder.
    async buildApp(builder) {
      await builder.build(builder.environments.client!);
      await builder.build(builder.environments.console!);
    },
  },
  build: {
    outDir: dist,
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
  environments: {
    client: {},
    console: {
      consumer: 'client',
      build: {
        lib: false,
        outDir: path.join(dist, 'console'),
        emptyOutDir: true,
        target: 'es2022',
        // The preload polyfill would be an inline script, which the console's CSP refuses; every browser it targets preloads modules itself.
        modulePreload: false,
        rolldownOptions: {
          input: { console: path.join(root, 'src', 'console', 'console.ts') },
          output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', assetFileNames: '[name]-[hash][extname]' },
        },
      },
    },
  },
  base: '/console/',
});
