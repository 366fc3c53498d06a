// Rewrites the configuration tables in the docs from the schemas, so the two cannot drift:
// `npm run docs:config` (it builds first: this imports the packages' dist). A table lives between
//
//   <!-- config-table: NAME -->
//   <!-- /config-table -->
//
// and NAME is one of `configTables` below. test/docs/config-tables.test.ts fails when a doc differs.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { authorizationServerConfigSchema, clientMetadataSchema, upstreamSchema } from '@gatehouse/authorization-server';
import { bffConfigSchema } from '@gatehouse/bff';
import { listConfigFields, renderConfigTable } from '@gatehouse/config';

/** The docs that embed tables, from the repository root. */
export const documentedFiles = ['docs/authorization-server.md', 'docs/bff.md', 'docs/upstream-providers.md'];

/** Each table a doc may embed, by the name its marker gives: the fields it lists. */
export const configTables = {
  // Clients, upstreams and rate limits have tables of their own; here each is one row with a pointer.
  'authorization-server': () =>
    summarise(listConfigFields(authorizationServerConfigSchema), {
      clients: '[Clients](#clients)',
      upstreams: '[upstream-providers.md](upstream-providers.md#fields)',
      rateLimits: '[Rate limits](#rate-limits)',
    }),
  'authorization-server/rate-limits': () => within(listConfigFields(authorizationServerConfigSchema), 'rateLimits'),
  'client-metadata': () => listConfigFields(clientMetadataSchema),
  'client-metadata/token-exchange': () =>
    pick(listConfigFields(clientMetadataSchema), ['long_lived_tokens', 'one_time_code_issuers', 'upstream_tokens']),
  'client-metadata/upstream-tokens': () => pick(listConfigFields(clientMetadataSchema), ['upstream_tokens']),
  'upstream-provider': () => listConfigFields(upstreamSchema),
  bff: () => listConfigFields(bffConfigSchema),
};

/** The fields under `path`, without its own row. */
function within(fields, path) {
  return fields.filter((field) => field.path.startsWith(`${path}.`) || field.path.startsWith(`${path}[].`));
}

function pick(fields, paths) {
  return fields.filter((field) => paths.includes(field.path));
}

/** Drops the fields under each path, and points its own row to where they are listed. */
function summarise(fields, pointers) {
  const hidden = new Set(Object.keys(pointers).flatMap((path) => within(fields, path)));
  return fields
    .filter((field) => !hidden.has(field))
    .map((field) =>
      field.path in pointers
        ? { ...field, description: `${field.description ?? ''}; see ${pointers[field.path]}` }
        : field,
    );
}

const block = /(<!-- config-table: ([^\s>]+) -->)[\s\S]*?(<!-- \/config-table -->)/g;

/** `text` with the table between each pair of markers generated afresh. */
export function withGeneratedTables(text, file) {
  const openings = text.match(/<!-- config-table:/g)?.length ?? 0;
  let replaced = 0;
  const result = text.replace(block, (_whole, opening, name, closing) => {
    const fields = Object.hasOwn(configTables, name) ? configTables[name]() : undefined;
    if (fields === undefined) {
      throw new Error(`${file}: no config table is named ${name} (known: ${Object.keys(configTables).join(', ')})`);
    }
    replaced += 1;
    return `${opening}\n\n${renderConfigTable(fields)}\n\n${closing}`;
  });
  if (replaced !== openings) throw new Error(`${file}: a config-table marker is not closed by <!-- /config-table -->`);
  return result;
}

/**
 * `text` with the padding of Markdown table rows taken out: the formatter (`biome format`) aligns the
 * columns of a written table, and alignment is not content.
 */
export function withoutTablePadding(text) {
  return text
    .split('\n')
    .map((line) =>
      line.startsWith('|') ? line.replace(/ +\|/g, ' |').replace(/\| +/g, '| ').replace(/-{3,}/g, '---') : line,
    )
    .join('\n');
}

async function main() {
  const rewritten = [];
  for (const file of documentedFiles) {
    const url = new URL(`../${file}`, import.meta.url);
    const text = await readFile(url, 'utf8');
    const generated = withGeneratedTables(text, file);
    if (withoutTablePadding(generated) === withoutTablePadding(text)) {
      console.log(`config-tables: ${file} is up to date`);
    } else {
      await writeFile(url, generated);
      rewritten.push(file);
      console.log(`config-tables: ${file} rewritten`);
    }
  }
  // Align the new tables as `npm run lint` expects them.
  if (rewritten.length > 0) execFileSync('npx', ['biome', 'format', '--write', ...rewritten], { stdio: 'inherit' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
