// Reads the tables of GitHub-flavoured Markdown back as GFM does, enough for
// the tests: a table is a header line and a divider line, then rows; a line
// splits into cells at pipes that no backslash escapes; a cell shows its text
// with backslash escapes and HTML entities resolved.

export interface ReadTable {
  /** 0-based line of the header. */
  line: number;
  header: string[];
  rows: string[][];
}

const DIVIDER = /^\|(?: *:?-+:? *\|)+$/;

/** The cells of a table line, pipes unescaped (`\|` → `|`), other escapes kept for shownText. */
export function cellsOf(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  // Skip the leading pipe; the trailing one closes the last cell.
  for (let i = line.indexOf('|') + 1; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      // An escaped character never splits a cell (cmark-gfm's escaped_char); `\|` shows as `|`.
      cell += line[i + 1] === '|' ? '|' : ch + line[i + 1];
      i++;
    } else if (ch === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += ch;
    }
  }
  return cells;
}

/** The text a cell shows: backslash escapes and the entities mdText writes resolved. */
export function shownText(cell: string): string {
  const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" };
  return cell.replace(/\\([!-/:-@[-`{-~])|&(lt|gt|amp|quot|#39);/g, (_, escaped: string | undefined, entity: string | undefined) => escaped ?? entities[entity!]!);
}

/** GFM ends a line at LF, CR or CR LF: a stray CR in a cell would end its row. */
const linesOf = (markdown: string) => markdown.split(/\r\n|\r|\n/);

export function readTables(markdown: string): ReadTable[] {
  const lines = linesOf(markdown);
  const tables: ReadTable[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || !DIVIDER.test(lines[i + 1]!)) continue;
    const table: ReadTable = { line: i, header: cellsOf(lines[i]!), rows: [] };
    let j = i + 2;
    for (; j < lines.length && lines[j]!.startsWith('|'); j++) table.rows.push(cellsOf(lines[j]!));
    tables.push(table);
    i = j - 1;
  }
  return tables;
}

/**
 * Every table of the text: a blank line before it, and as many cells in each
 * row as in its header and its divider. Right under a list item, the header
 * and divider lines are lazy continuations of the item's paragraph and the
 * table never starts.
 */
export function malformedTables(markdown: string): string[] {
  const problems: string[] = [];
  const lines = linesOf(markdown);
  for (const t of readTables(markdown)) {
    if (t.line > 0 && lines[t.line - 1]!.trim() !== '') problems.push(`line ${t.line + 1}: a table right under \`${lines[t.line - 1]}\`, not after a blank line`);
    const columns = cellsOf(lines[t.line + 1]!).length;
    if (t.header.length !== columns) problems.push(`line ${t.line + 1}: ${t.header.length} header cells, ${columns} in the divider`);
    t.rows.forEach((r, k) => {
      if (r.length !== t.header.length) problems.push(`line ${t.line + 3 + k}: ${r.length} cells under ${t.header.length} columns: ${lines[t.line + 2 + k]}`);
    });
  }
  return problems;
}
