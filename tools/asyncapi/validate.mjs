// Validates AsyncAPI documents with the official parser; exits 1 on any error, printing each one.
// Usage: node tools/asyncapi/validate.mjs docs/partners/asyncapi.yaml
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const parser = new Parser();
let failed = false;
for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(await readFile(path, "utf8"), { source: path });
  const errors = diagnostics.filter((d) => d.severity === 0);
  for (const d of diagnostics.filter((d) => d.severity <= 1)) {
    const where = d.path.join(".") || "(document)";
    console.error(`${path}: ${d.severity === 0 ? "error" : "warning"} ${d.code} at ${where}: ${d.message}`);
  }
  if (errors.length || !document) {
    failed = true;
  } else {
    console.log(`${path} is a valid AsyncAPI ${document.version()} document`);
  }
}
process.exit(failed ? 1 : 0);
