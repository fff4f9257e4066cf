// Turns a JSON Schema (the subset zod's toJSONSchema writes for the protocol:
// objects with fixed properties, arrays, strings with const/enum, integers and
// numbers with bounds, booleans, anyOf: discriminated or nullable) into plain Python that checks a value
// against it and raises the package's UserError naming the field. Python then
// needs no validation package, and the checks cannot drift from the schema.
// A keyword outside the subset is an error here, at build time.

type Schema = Record<string, unknown>;

const KNOWN = new Set(['$schema', 'type', 'properties', 'required', 'additionalProperties', 'const', 'enum', 'minLength', 'minimum', 'exclusiveMinimum', 'maximum', 'minItems', 'items', 'anyOf']);

export function jsonSchemaToPython(schema: Schema, entry: string): string {
  const functions: string[] = [];
  const byBody = new Map<string, string>();
  let next = 0;

  /** Emits a checker function for `node`; returns its name. */
  function checker(node: Schema, where: string): string {
    const unknown = Object.keys(node).filter((k) => !KNOWN.has(k));
    if (unknown.length > 0) throw new Error(`${where}: JSON Schema keywords ${unknown.join(', ')} are not supported by the Python generator`);
    const body: string[] = [];
    if (node['anyOf']) {
      body.push(...unionChecks(node['anyOf'] as Schema[], where));
    } else {
      switch (node['type']) {
        case 'object': body.push(...objectChecks(node, where)); break;
        case 'array': body.push(...arrayChecks(node, where)); break;
        case 'string': body.push(...stringChecks(node)); break;
        case 'integer':
        case 'number': body.push(...numberChecks(node, node['type'])); break;
        case 'boolean': body.push(`if not isinstance(value, bool):`, `    _fail(path, "must be true or false", value)`); break;
        default: throw new Error(`${where}: type ${JSON.stringify(node['type'])} is not supported by the Python generator`);
      }
    }
    // One function per distinct check: equal schemas (every positive integer) share it.
    const text = body.map((l) => `    ${l}`).join('\n');
    const known = byBody.get(text);
    if (known) return known;
    const name = `_check_${next++}`;
    byBody.set(text, name);
    functions.push(`def ${name}(value, path):\n${text}\n`);
    return name;
  }

  /** A union of objects told apart by one string field (a discriminator: `kind`), dispatched on it. */
  function unionChecks(branches: Schema[], where: string): string[] {
    // A nullable value (zod's .nullable()): null, or the one other branch.
    const nulls = branches.filter((b) => b['type'] === 'null' && Object.keys(b).length === 1);
    if (nulls.length === 1 && branches.length === 2) {
      const other = branches.find((b) => !nulls.includes(b))!;
      return [`if value is None:`, `    return`, `${checker(other, `${where}.anyOf`)}(value, path)`];
    }
    const tagsOf = (b: Schema, key: string): string[] | null => {
      const p = (b['properties'] as Record<string, Schema> | undefined)?.[key];
      if (!p) return null;
      if (typeof p['const'] === 'string') return [p['const']];
      return Array.isArray(p['enum']) ? (p['enum'] as string[]) : null;
    };
    const keys = Object.keys((branches[0]?.['properties'] ?? {}) as object);
    const key = keys.find((k) => branches.every((b) => b['type'] === 'object' && tagsOf(b, k) != null));
    if (key == null) throw new Error(`${where}: anyOf without a common discriminating field is not supported by the Python generator`);
    const all: string[] = [];
    const lines = [`if not isinstance(value, dict):`, `    _fail(path, "must be an object", value)`, `tag = value.get(${pyStr(key)})`];
    branches.forEach((b, i) => {
      const tags = tagsOf(b, key)!;
      all.push(...tags);
      lines.push(`if tag in ${pyTuple(tags)}:`, `    return ${checker(b, `${where}.anyOf[${i}]`)}(value, path)`);
    });
    lines.push(`_fail(_at(path, ${pyStr(key)}), ${pyStr(`must be one of ${all.join(', ')}`)}, tag)`);
    return lines;
  }

  function objectChecks(node: Schema, where: string): string[] {
    const properties = (node['properties'] ?? {}) as Record<string, Schema>;
    const required = (node['required'] ?? []) as string[];
    const lines = [`if not isinstance(value, dict):`, `    _fail(path, "must be an object", value)`];
    if (node['additionalProperties'] === false) {
      lines.push(`for key in value:`, `    if key not in ${pyTuple(Object.keys(properties))}:`, `        raise UserError(_at(path, key) + " is not a known field (known: ${Object.keys(properties).join(', ')})")`);
    }
    for (const key of required) lines.push(`if ${pyStr(key)} not in value:`, `    raise UserError(_at(path, ${pyStr(key)}) + " is missing")`);
    for (const [key, child] of Object.entries(properties)) {
      const fn = checker(child, `${where}.${key}`);
      lines.push(`if ${pyStr(key)} in value:`, `    ${fn}(value[${pyStr(key)}], _at(path, ${pyStr(key)}))`);
    }
    return lines;
  }

  function arrayChecks(node: Schema, where: string): string[] {
    const lines = [`if not isinstance(value, list):`, `    _fail(path, "must be a list", value)`];
    if (node['minItems'] != null) lines.push(`if len(value) < ${node['minItems']}:`, `    _fail(path, "must have at least ${node['minItems']} item(s)", value)`);
    if (node['items']) {
      const fn = checker(node['items'] as Schema, `${where}[]`);
      lines.push(`for i, item in enumerate(value):`, `    ${fn}(item, f"{path}[{i}]")`);
    }
    return lines;
  }

  function stringChecks(node: Schema): string[] {
    const lines = [`if not isinstance(value, str):`, `    _fail(path, "must be a string", value)`];
    if (node['const'] != null) lines.push(`if value != ${pyStr(node['const'] as string)}:`, `    _fail(path, ${pyStr(`must be '${node['const'] as string}'`)}, value)`);
    if (node['enum']) {
      const values = node['enum'] as string[];
      lines.push(`if value not in ${pyTuple(values)}:`, `    _fail(path, ${pyStr(`must be one of ${values.join(', ')}`)}, value)`);
    }
    if (node['minLength'] != null) lines.push(`if len(value) < ${node['minLength']}:`, `    _fail(path, "must not be empty", value)`);
    return lines;
  }

  function numberChecks(node: Schema, type: 'integer' | 'number'): string[] {
    const lines = type === 'integer'
      ? [`if not isinstance(value, int) or isinstance(value, bool):`, `    _fail(path, "must be an integer", value)`]
      : [`if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value or value in (float("inf"), float("-inf")):`, `    _fail(path, "must be a finite number", value)`];
    if (node['exclusiveMinimum'] != null) lines.push(`if not value > ${node['exclusiveMinimum']}:`, `    _fail(path, "must be > ${node['exclusiveMinimum']}", value)`);
    if (node['minimum'] != null) lines.push(`if value < ${node['minimum']}:`, `    _fail(path, "must be >= ${node['minimum']}", value)`);
    if (node['maximum'] != null) lines.push(`if value > ${node['maximum']}:`, `    _fail(path, "must be <= ${node['maximum']}", value)`);
    return lines;
  }

  const root = checker(schema, entry);
  return `${functions.join('\n\n')}\n\ndef ${entry}(value) -> None:\n    """Raises UserError naming the first field of \`value\` that the schema does not allow."""\n    ${root}(value, "")\n`;
}

/** A Python string literal (JSON's escapes are Python's for these texts). */
function pyStr(text: string): string {
  return JSON.stringify(text);
}

function pyTuple(values: readonly string[]): string {
  return `(${values.map(pyStr).join(', ')}${values.length === 1 ? ',' : ''})`;
}

/** The helpers every generated checker uses. */
export const PYTHON_PRELUDE = `def _at(path, key):
    return f"{path}.{key}" if path else key


def _fail(path, what, value):
    raise UserError(f"{path or 'the message'} {what}, got {value!r}"[:500])

`;
