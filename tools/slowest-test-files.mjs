// A node:test reporter for `npm test`: the ten test files that took longest, at
// the end (each file runs in a process of its own; its time is that process's,
// import and set-up included), so the slow ones are seen where they are added.
export default async function* slowestTestFiles(source) {
  const seconds = new Map();
  for await (const event of source) {
    // A file's own test: named by its path; complete when its process has ended.
    if (event.type === 'test:complete' && event.data.file != null && event.data.name === event.data.file) {
      seconds.set(event.data.file, (event.data.details?.duration_ms ?? 0) / 1000);
    }
  }
  const slowest = [...seconds].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (slowest.length === 0) return;
  const cwd = process.cwd();
  yield `\nslowest test files (of ${seconds.size}):\n`;
  for (const [file, s] of slowest) yield `  ${s.toFixed(1).padStart(6)} s  ${file.startsWith(cwd) ? file.slice(cwd.length + 1) : file}\n`;
}
