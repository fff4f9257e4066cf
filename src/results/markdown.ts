// Markdown as the reports (summary.md) and the gate (compare --markdown) both
// write it: one escaper for text from a run, one for code spans, one table
// writer — so that a label with a pipe, a line break or markup reads the same,
// as text, in every table of either. GitHub-flavoured Markdown.

/** A line break of any kind: GFM ends a line at CR, LF or CR LF. */
const LINE_BREAK = /\r\n|\r|\n/g;

/** Text from a run (suite name, labels, error messages) as inert Markdown: no HTML, no emphasis, links or table breaks; one line. */
export function mdText(text: string): string {
  return text
    .replace(LINE_BREAK, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1');
}

/**
 * Keeps Markdown or HTML already written on one line of one table cell. Only
 * pipes need escaping: GFM takes `\|` as a pipe in a cell before it reads
 * anything else, code spans and HTML attributes included.
 */
export function mdInCell(markdown: string): string {
  return markdown.replace(LINE_BREAK, ' ').replace(/\|/g, '\\|');
}

/** Text as a code span (ids, paths): backticks inside would end it early, so they become quotes. */
export function mdCode(text: string): string {
  return `\`${mdInCell(text.replace(/`/g, "'"))}\``;
}

/** A column: its title (Markdown), and right-aligned for figures. */
export type MdColumn = string | { title: string; align: 'right' };

/**
 * A table of cells that are Markdown already (run text through mdText or
 * mdCode first): one header, one divider, one line per row.
 */
export function mdTable(columns: readonly MdColumn[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const divider = columns.map((c) => (typeof c === 'object' && c.align === 'right' ? '---:' : '---'));
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`a Markdown table row of ${row.length} cells under ${columns.length} columns: ${line(row)}`);
  }
  return [line(columns.map((c) => (typeof c === 'object' ? c.title : c))), line(divider), ...rows.map(line)].join('\n');
}
