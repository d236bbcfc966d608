// Spectra (API.md "Spectra"): alpha per layer in network order with the 2 and 6 lines, and one layer's
// eigenvalue spectrum on log-log axes with the power law fitted to its tail. Serves models and state dicts.
import uPlot from '/webjars/uplot/dist/uPlot.esm.js';
import { get, num } from './api.js';
import { h, fmt } from './dom.js';
import { axisSize } from './charts.js';

const INK = '#1f2933';
const GRID = '#d9dee3';
const axis = { stroke: INK, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID } };
const QUALITY = { 'over-trained': 'alert', 'under-trained': 'warn', ok: '' };

/**
 * path: the spectra resource ("models/ID/spectra" or "state-dicts/ID/spectra"), without a query; heading: the
 * level of the panel's own headings ('h3' inside a page section titled by an h2).
 */
export async function spectraPanel(panel, path, signal, { heading = 'h2' } = {}) {
  const answer = await get(`${path}?bins=40`, signal);
  const { layers, skipped, summary } = answer;
  panel.append(h('p', { class: 'note' },
    'How trained each layer is, read from its weights alone (heavy-tailed self-regularization, as WeightWatcher computes it): ',
    'the eigenvalues λ of WᵀW follow a power law p(λ) ∝ λ^−α in their tail. α between 2 and 6 is typical of a well-trained layer; ',
    'below 2 it may be over-trained, above 6 under-trained (freshly drawn weights sit there).'));
  const q = summary.quality;
  panel.append(h('dl', { class: 'facts' },
    fact('layers analysed', layers.length), fact('mean α', fmt(summary.alpha)), fact('mean weighted α', fmt(summary.alpha_weighted)),
    fact('ok', q.ok), fact('over-trained', q['over-trained']), fact('under-trained', q['under-trained']),
    fact('skipped', skipped.length)));
  if (!layers.length) {
    panel.append(h('p', { class: 'muted' }, 'No layer to analyse: every tensor was skipped (see below).'));
    panel.append(skippedTable(skipped));
    return;
  }
  const charts = h('div', { class: 'charts' });
  const detail = h('div', { class: 'spectrum-detail' });
  panel.append(charts);
  alphaChart(charts, layers);
  const show = (i) => {
    detail.replaceChildren();
    spectrumChart(detail, layers[i]);
    table.querySelectorAll('tbody tr').forEach((tr, j) => tr.classList.toggle('selected', i === j));
  };
  const table = layersTable(layers, show);
  charts.append(detail);
  panel.append(h(heading, {}, 'Layers'), h('div', { class: 'scroll' }, table));
  if (skipped.length) panel.append(h(heading, {}, 'Skipped'), skippedTable(skipped));
  const fitted = layers.findIndex((l) => l.alpha !== null);
  show(fitted < 0 ? 0 : fitted);
}

const fact = (term, value) => h('div', {}, h('dt', {}, term), h('dd', {}, value));

/** α per layer in network order (x: the layer's place), with the lines at 2 and 6. */
function alphaChart(container, layers) {
  const figure = h('figure', { class: 'chart wide alpha-chart' }, h('figcaption', {}, 'α per layer, in network order'));
  container.append(figure);
  const x = layers.map((_, i) => i + 1);
  const alphas = layers.map((l) => (l.alpha === null ? null : num(l.alpha)));
  const finite = alphas.filter((a) => a !== null && Number.isFinite(a));
  const top = Math.max(7, ...finite) * 1.08;
  new uPlot({
    width: Math.max(320, Math.min(container.clientWidth || 560, 560)), height: 240,
    scales: { x: { time: false, range: [0.5, layers.length + 0.5] }, y: { range: [0, top] } },
    axes: [{ ...axis, label: 'layer', values: (u, vals) => vals.map((v) => (Number.isInteger(v) && v >= 1 && v <= layers.length ? String(v) : '')) },
      { ...axis, label: 'α', size: axisSize }],
    series: [{ label: 'layer', value: (u, v) => (v === null ? '—' : layers[v - 1]?.name ?? '') },
      { label: 'α', stroke: '#1d4ed8', width: 0, points: { show: true, size: 9, fill: '#1d4ed8' }, value: (u, v) => fmt(v) },
      { label: 'α = 2', stroke: '#b91c1c', width: 1.5, dash: [6, 4], points: { show: false } },
      { label: 'α = 6', stroke: '#92400e', width: 1.5, dash: [6, 4], points: { show: false } }],
  }, [x, alphas, x.map(() => 2), x.map(() => 6)], figure);
  figure.dataset.points = String(finite.length);
  figure.append(h('p', { class: 'visually-hidden' }, layers.map((l, i) => `${i + 1}: ${l.name}, α ${fmt(l.alpha)}`).join('; ')));
}

/**
 * One layer's spectrum: the esd's counts per bin of log10 λ, at each bin's centre, on log-log axes, and the
 * power law fitted to the tail: n·((a/xmin)^(1−α) − (b/xmin)^(1−α)) eigenvalues expected in a bin [a, b]
 * from xmin on, n = ((α − 1)/σ)² the tail's size.
 */
function spectrumChart(container, layer) {
  const edges = layer.esd.edges.map(num);
  const lam = (e) => 10 ** e;
  const centres = edges.slice(0, -1).map((e, i) => lam((e + edges[i + 1]) / 2));
  const counts = layer.esd.counts.map((c) => (c > 0 ? c : null));
  const series = [{ label: 'λ', value: (u, v) => fmt(v) },
    { label: 'eigenvalues per bin', stroke: '#2563a8', width: 1.5, points: { show: true, size: 6, fill: '#2563a8' }, spanGaps: false,
      value: (u, v) => fmt(v) }];
  const data = [centres, counts];
  if (layer.alpha !== null) {
    const alpha = num(layer.alpha);
    const xmin = num(layer.xmin);
    const tail = Math.round(((alpha - 1) / num(layer.sigma)) ** 2);
    const cdf = (v) => (v <= xmin ? 0 : 1 - (v / xmin) ** (1 - alpha));
    data.push(edges.slice(0, -1).map((e, i) => {
      const b = lam(edges[i + 1]);
      if (b < xmin) return null;
      const expected = tail * (cdf(b) - cdf(Math.max(lam(e), xmin)));
      return expected > 1e-3 ? expected : null;
    }));
    series.push({ label: `power law, α ${fmt(alpha)} from xmin ${fmt(xmin)}`, stroke: '#b91c1c', width: 2, dash: [8, 4],
      points: { show: false }, value: (u, v) => fmt(v) });
  }
  const figure = h('figure', { class: 'chart wide spectrum-chart' },
    h('figcaption', {}, `Spectrum of ${layer.name}`, layer.quality ? h('span', { class: `badge ${QUALITY[layer.quality]}` }, layer.quality) : null));
  container.append(figure);
  new uPlot({
    width: 540, height: 260,
    scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
    axes: [{ ...axis, label: 'λ (eigenvalue of WᵀW)', values: logTicks },
      { ...axis, label: 'eigenvalues per bin', size: axisSize, values: logTicks }],
    series,
  }, data, figure);
  figure.dataset.points = String(counts.filter((c) => c !== null).length);
  figure.append(h('p', { class: 'visually-hidden' },
    `${layer.num_evals} eigenvalues from ${fmt(lam(edges[0]))} to ${fmt(num(layer.lambda_max))}` +
    (layer.alpha === null ? '; no tail fitted (one eigenvalue or a flat spectrum).' : `; power law α ${fmt(layer.alpha)} from xmin ${fmt(layer.xmin)}.`)));
}

/** A log axis labels its powers of ten only (uPlot passes null for the ticks it leaves unlabelled). */
const logTicks = (u, vals) => vals.map((v) => (v === null || Math.abs(Math.log10(v) % 1) > 1e-9 ? '' : fmt(v)));

function layersTable(layers, show) {
  const cols = ['layer', 'shape', 'α', 'quality', 'eigenvalues', 'xmin', 'KS distance', 'log norm', 'log spectral norm', 'stable rank', 'entropy'];
  const rows = layers.map((l, i) => h('tr', { class: l.quality === 'ok' || l.quality === null ? '' : 'flag' },
    h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => show(i) }, l.name)),
    h('td', { class: 'nowrap' }, `[${l.shape.join(', ')}]`),
    h('td', { class: 'num' }, fmt(l.alpha)),
    h('td', { class: 'nowrap' }, l.quality ?? '—'),
    h('td', { class: 'num' }, l.num_evals),
    ...['xmin', 'ks_distance', 'log_norm', 'log_spectral_norm', 'stable_rank', 'entropy'].map((k) => h('td', { class: 'num' }, fmt(l[k])))));
  return h('table', { class: 'spectra' }, h('caption', { class: 'visually-hidden' }, 'Spectra per layer; pick a layer to plot its spectrum'),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows));
}

function skippedTable(skipped) {
  return h('table', {}, h('thead', {}, h('tr', {}, ['tensor', 'shape', 'why'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, skipped.map((s) => h('tr', {}, h('th', { scope: 'row' }, s.name), h('td', {}, `[${s.shape.join(', ')}]`),
      h('td', {}, s.reason)))));
}
