// Regenerates schema/steward.schema.json and docs/config.md from src/config/schema.ts.
import fs from 'node:fs';
import { generatedConfigDocs, generatedJsonSchema } from '../src/config/generated.js';

fs.mkdirSync('schema', { recursive: true });
fs.writeFileSync('schema/steward.schema.json', generatedJsonSchema());
fs.writeFileSync('docs/config.md', generatedConfigDocs());
process.stdout.write('wrote schema/steward.schema.json and docs/config.md\n');
