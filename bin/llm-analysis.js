#!/usr/bin/env node
// The CLI is TypeScript run through tsx, a dependency of this package, so it works from any directory.
require('tsx/cjs');
require('../scripts/cli.ts');
