#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so suites (.ts files) load at run time.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
