import { renderConfigDocs } from './docs.js';
import { configJsonSchema } from './json-schema.js';

export const configDocsIntro = `# Configuration reference (\`steward.yaml\`)

<!-- Generated from src/config/schema.ts by \`npm run gen\`. Do not edit by hand. -->

Steward reads one YAML file, found by \`-c/--config\`, then the \`STEWARD_CONFIG\`
environment variable, then \`./steward.yaml\`. \`steward validate\` checks it and reports every
problem at once with file:line:column, the key path and a hint; unknown keys are errors.

- **Durations** are written \`250ms\`, \`30s\`, \`5m\`, \`4h\`, \`7d\`, \`2w\` or combined (\`1h30m\`).
- **Sizes** are written \`512MiB\`, \`2GiB\`, \`100MB\`.
- **Paths** may be relative: they are taken from the directory that holds \`steward.yaml\`.
- **Secrets**: any string may be \`\${ENV_NAME}\` or \`\${file:/path/to/secret}\` (the file's content,
  without its final newline). Such values are never printed back: not in errors, logs or \`--json\`
  output. Write \`$\${\` for a literal \`\${\`.
- **Names** (of services, jobs…) use lower-case letters, digits, \`-\`, \`_\` and \`.\`.

The JSON Schema is \`schema/steward.schema.json\` (also printed by \`steward schema\`); point your
editor's YAML language server at it for completion:

\`\`\`yaml
# yaml-language-server: $schema=./node_modules/steward/schema/steward.schema.json
\`\`\`
`;

export function generatedJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

export function generatedConfigDocs(): string {
  return renderConfigDocs(configJsonSchema(), configDocsIntro);
}
