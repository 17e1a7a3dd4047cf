#!/usr/bin/env node
// The `palisade` command. Runs on Node 24's type stripping (npm scripts put the pinned Node first on PATH).
import { buildCli } from '../src/cli.ts';

await buildCli().parseAsync(process.argv);
