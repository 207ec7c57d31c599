import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeHtml, htmlPage, renderCurve } from '@fmnist/eval';
import { writeFileAtomic } from '@fmnist/io/node';
import { rankTrials, type SweepSpec, type TrialResult } from '@fmnist/training/sweeps';

const percent = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? '' : `${(100 * x).toFixed(2)}%`;
const metricText = (spec: SweepSpec, x: number) =>
  !Number.isFinite(x) ? '' : spec.metric === 'val_acc' ? percent(x) : x.toFixed(4);
const valuesText = (r: TrialResult) =>
  [...Object.entries(r.values).map(([k, v]) => `${k}=${JSON.stringify(v)}`), `seed=${r.seed}`].join(' ');

/** The sweep's results, best first, as a Markdown table (the same columns as the HTML). */
export function renderSweepMarkdown(spec: SweepSpec, results: TrialResult[]): string {
  const ranked = rankTrials(results, spec.metric);
  const rows = ranked.map(
    (r, i) =>
      `| ${i + 1} | ${r.id} | ${r.status} | ${metricText(spec, r.metric)} | ${percent(r.testAccuracy)} | ${r.curve.length} | ${r.attempts} | ${r.seconds} | ${valuesText(r).replace(/\|/g, '\\|')} |`,
  );
  const best = ranked[0];
  return [
    `# Sweep ${spec.name}: ${spec.metric} (${spec.metric === 'val_acc' ? 'higher' : 'lower'} is better)`,
    '',
    `Base recipe \`${spec.base.recipe}\`, pruning \`${spec.pruning.rule}\`, ${results.length} trials.`,
    '',
    `| rank | trial | status | ${spec.metric} | test accuracy | epochs | attempts | seconds | values |`,
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    ...(best?.status === 'complete'
      ? [`Best: ${best.id}, run folder \`${best.runDir}\` (also \`best/\`).`]
      : []),
    ...ranked.filter((r) => r.reason).map((r) => `- ${r.id}: ${r.reason}`),
    '',
  ].join('\n');
}

/** The same table as one HTML page in the eval reports' style, with each trial's metric curve. */
export function renderSweepHtml(spec: SweepSpec, results: TrialResult[]): string {
  const ranked = rankTrials(results, spec.metric);
  const head = [
    'rank',
    'trial',
    'status',
    spec.metric,
    'test accuracy',
    'epochs',
    'attempts',
    'seconds',
    'values',
  ];
  const rows = ranked.map((r, i) =>
    [
      i + 1,
      r.id,
      r.status,
      metricText(spec, r.metric),
      percent(r.testAccuracy),
      r.curve.length,
      r.attempts,
      r.seconds,
      valuesText(r),
    ]
      .map((cell) => `<td>${escapeHtml(String(cell))}</td>`)
      .join(''),
  );
  const curves = ranked
    .map((r) => renderCurve({ [spec.metric]: r.curve }, [spec.metric], `${r.id} (${r.status})`))
    .join('');
  const reasons = ranked.filter((r) => r.reason).map((r) => `<li>${escapeHtml(`${r.id}: ${r.reason}`)}</li>`);
  return htmlPage(
    `Sweep ${spec.name}: ${spec.metric}, base recipe ${spec.base.recipe}`,
    `<table id="trials"><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r}</tr>`).join('')}</table>
${reasons.length ? `<h2>Pruned and failed</h2><ul>${reasons.join('')}</ul>` : ''}
<h2>Curves</h2><div class="row">${curves}</div>`,
  );
}

/**
 * Writes `results.md` and `results.html` in the sweep's folder and points `best` at the best complete
 * trial's run folder; returns the trials best first.
 */
export async function writeSweepReport(
  sweepDir: string,
  spec: SweepSpec,
  results: TrialResult[],
): Promise<TrialResult[]> {
  await writeFileAtomic(join(sweepDir, 'results.md'), renderSweepMarkdown(spec, results));
  await writeFileAtomic(join(sweepDir, 'results.html'), renderSweepHtml(spec, results));
  const ranked = rankTrials(results, spec.metric);
  const best = ranked[0];
  const link = join(sweepDir, 'best');
  await rm(link, { force: true });
  // Relative, so the sweep folder can move (or be mounted elsewhere) and the link still holds.
  if (best?.status === 'complete') await symlink(best.runDir, link);
  return ranked;
}
