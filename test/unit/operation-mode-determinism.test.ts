import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/** The workflow bundle imports the pure core: it must stay free of Node built-ins, clocks and randomness. */
describe('operation mode: the pure core stays workflow-safe', () => {
  const coreDir = path.resolve(__dirname, '../../shared/core/operation-mode');
  const coreFiles = fs.readdirSync(coreDir).filter((file) => file.endsWith('.ts')).map((file) => path.join(coreDir, file));
  const workflowFile = path.resolve(__dirname, '../../workflows/operation-mode.ts');
  // No schema library: the bundle's modules are evaluated again for every workflow run (see wire-checks.ts).
  const ALLOWED_IMPORTS = /^(\.{1,2}\/|@temporalio\/(workflow|common)$)/;

  it('imports only Temporal’s workflow API and the project’s own files', () => {
    for (const file of [...coreFiles, workflowFile]) {
      for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
        assert.match(specifier!, ALLOWED_IMPORTS, `${path.basename(file)} imports ${specifier}`);
      }
    }
  });

  it('never reads a clock (time is a parameter) nor randomness, nor the environment', () => {
    for (const file of coreFiles) {
      assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /Date\.now\(|new Date\(\)|Math\.random|performance\.now|process\./, path.basename(file));
    }
    // The workflow reads its own deterministic clock and hands it to the core.
    assert.doesNotMatch(fs.readFileSync(workflowFile, 'utf8'), /Math\.random|setTimeout|process\./);
  });
});
