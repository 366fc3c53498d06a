import type { TSchema } from '@sinclair/typebox';
import { isSecretSchema } from './secret-string.js';

/** One field of a configuration schema, in words a reader of the docs can use. */
export interface ConfigField {
  /** Dotted path: `rateLimits.login.limit`; an array's items as `routes[].path`. */
  readonly path: string;
  /**
   * The type in words: `integer 30–86400`, `string`, `"ES256" | "RS256"`, `array of string`; a
   * `secretString` reads `secret string` (it also takes `{ "env": … }` or `{ "file": … }`).
   */
  readonly type: string;
  /**
   * The default as JSON (`3600`, `[]`, `"127.0.0.1"`); `—` when the field is required, `none` when it
   * is optional without a default.
   */
  readonly default: string;
  /** The schema's `description`, if it has one. */
  readonly description: string | undefined;
}

/** What this module reads of a JSON Schema node (TypeBox schemas are plain JSON Schema). */
interface SchemaNode {
  type?: string;
  const?: unknown;
  anyOf?: readonly SchemaNode[];
  items?: SchemaNode;
  properties?: Readonly<Record<string, SchemaNode>>;
  required?: readonly string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

/**
 * Lists the fields of an object schema in schema order, each followed by the fields inside it: a
 * nested object's as `parent.child`, an array of objects' as `parent[].child`. Containers have a row
 * of their own, so a table may show a subtree elsewhere and keep only its parent's row.
 *
 * @example
 * listConfigFields(Type.Object({ port: Type.Integer({ minimum: 0, maximum: 65535, default: 4000 }) }));
 * // → [{ path: 'port', type: 'integer 0–65535', default: '4000', description: undefined }]
 */
export function listConfigFields(schema: TSchema): ConfigField[] {
  const node = schema as SchemaNode;
  if (node.type !== 'object' || node.properties === undefined) {
    throw new TypeError('listConfigFields: expected an object schema with properties');
  }
  return fieldsOf(node, '');
}

function fieldsOf(object: SchemaNode, prefix: string): ConfigField[] {
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    const field: ConfigField = {
      path,
      type: describeType(child),
      default: describeDefault(child, required.has(key)),
      description: child.description,
    };
    return [field, ...fieldsInside(child, path)];
  });
}

function fieldsInside(node: SchemaNode, path: string): ConfigField[] {
  if (hasProperties(node)) return fieldsOf(node, `${path}.`);
  if (node.type === 'array' && node.items !== undefined && hasProperties(node.items)) {
    return fieldsOf(node.items, `${path}[].`);
  }
  return [];
}

function hasProperties(node: SchemaNode): boolean {
  return node.type === 'object' && node.properties !== undefined;
}

function describeType(node: SchemaNode): string {
  if ('const' in node) return JSON.stringify(node.const);
  if (node.anyOf !== undefined) return node.anyOf.map(describeType).join(' | ');
  switch (node.type) {
    case 'integer':
    case 'number': {
      const range = bounds(node.minimum, node.maximum);
      return range ? `${node.type} ${range}` : node.type;
    }
    case 'string': {
      const secret = isSecretSchema(node) ? 'secret ' : '';
      if (node.minLength === 1 && node.maxLength === undefined) return `${secret}non-empty string`;
      const length = bounds(node.minLength, node.maxLength);
      return length ? `${secret}string, ${length} characters` : `${secret}string`;
    }
    case 'array': {
      const items = node.items === undefined ? 'any' : describeType(node.items);
      const array = `array of ${/[|,]/.test(items) ? `(${items})` : items}`;
      if (node.minItems === 1 && node.maxItems === undefined) return `non-empty ${array}`;
      const count = bounds(node.minItems, node.maxItems);
      return count ? `${array}, ${count} items` : array;
    }
    case 'boolean':
    case 'object':
    case 'null':
      return node.type;
    default:
      return 'any';
  }
}

/** `30–86400`, `≥ 60`, `≤ 200`, or empty when unbounded. */
function bounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return '';
}

function describeDefault(node: SchemaNode, isRequired: boolean): string {
  if ('default' in node) return formatValue(node.default);
  return isRequired ? '—' : 'none';
}

/** JSON, with a space after each comma so a list reads as one: `["openid", "profile"]`. */
function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, child]) => `${JSON.stringify(key)}: ${formatValue(child)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value) ?? String(value);
}
