// Applies pending migrations and exits: the Procfile's `release` step.
import { boot } from '../core/boot.ts';

const runtime = await boot('migrate');
await runtime.close();
