// Builds <strategic-accounts> into one ES module with Lit inlined (widget/dist/strategic-accounts.js),
// the file the server serves at /widget/strategic-accounts.js and a Salesforce static resource holds.
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
    lib: { entry: path.join(root, 'src', 'strategic-accounts.ts'), formats: ['es'], fileName: () => 'strategic-accounts.js' },
    // Vite's library `es` output keeps whitespace unless the output itself is minified.
    rolldownOptions: { output: { minify: true } },
  },
});
