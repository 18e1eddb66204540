#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx compiles them on load, so there is no build step.
// Registering tsx from this file (rather than `node --import tsx`) makes the command work from any
// working directory, which matters because the bridge runs engines in the user's repositories.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
