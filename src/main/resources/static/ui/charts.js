// Charts: histograms and curves with uPlot (the webjar), heat maps and bar charts by hand.
import uPlot from '/webjars/uplot/dist/uPlot.esm.js';
import { h, fmt } from './dom.js';
import { num } from './api.js';

const INK = '#1f2933';
const GRID = '#d9dee3';
const axis = { stroke: INK, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID } };
const width = (el, fallback) => Math.max(260, Math.min(el.clientWidth || fallback, fallback));

/**
 * A y axis's size from its widest tick label (uPlot's axis `size` callback), so labels such as "10,000" or
 * "5.000e-4" are never clipped: ticks and gap plus the label's measured width in the axis's own font.
 */
export function axisSize(u, values, i, cycle) {
  const a = u.axes[i];
  if (cycle > 1) return a._size; // uPlot re-measures until the sizes settle: stop moving
  const longest = (values || []).reduce((w, v) => (v !== null && String(v).length > w.length ? String(v) : w), '');
  if (!longest) return 50;
  u.ctx.font = a.font[0];
  return Math.ceil((a.ticks.show ? a.ticks.size : 0) + a.gap + u.ctx.measureText(longest).width / devicePixelRatio + 6);
}
const yAxis = { ...axis, size: axisSize };

/** A histogram {edges, counts} as bars; null when there is nothing finite to draw. */
export function histogram(container, hist, label, color = '#2563a8') {
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, label));
  container.append(figure);
  if (!hist) {
    figure.append(h('p', { class: 'muted' }, 'No finite element: no histogram.'));
    return null;
  }
  const edges = hist.edges.map(num);
  const total = hist.counts.reduce((a, b) => a + b, 0);
  const plot = new uPlot({
    width: 280, height: 200,
    legend: { show: false }, cursor: { show: true, points: { show: false } },
    scales: { x: { time: false, range: [edges[0], edges[edges.length - 1]] }, y: { range: (u, lo, hi) => [0, hi * 1.05 || 1] } },
    axes: [{ ...axis, values: (u, vals) => vals.map(fmt) }, yAxis],
    series: [{}, { label: 'count', fill: color + 'aa', stroke: color, width: 1,
      paths: uPlot.paths.bars({ align: 1, size: [1, Infinity], gap: 1 }) }],
  }, [edges.slice(0, -1), hist.counts], figure);
  figure.append(h('p', { class: 'visually-hidden' },
    `${total} finite elements in ${hist.counts.length} bins from ${fmt(edges[0])} to ${fmt(edges[edges.length - 1])}.`));
  return plot;
}

/**
 * Line curves over a shared x: series is [{label, values, color}]; answers an updater for live data.
 * With log, the y scale is logarithmic (uPlot's distr 3) and values that are not positive are left out (gaps).
 */
export function curves(container, title, xLabel, series, { log = false } = {}) {
  const figure = h('figure', { class: 'chart wide' }, h('figcaption', {}, title));
  container.append(figure);
  const shown = (values) => (log ? values.map((v) => (v !== null && v > 0 ? v : null)) : values);
  const data = () => [series[0].x ?? series[0].values.map((_, i) => i + 1), ...series.map((s) => shown(s.values))];
  const plot = new uPlot({
    width: width(container, 560), height: 240,
    scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
    axes: [{ ...axis, label: xLabel }, { ...yAxis, values: (u, vals) => vals.map(fmt) }],
    series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true,
      value: (u, v) => fmt(v) }))],
  }, data(), figure);
  figure.dataset.points = String(data()[0].length);
  figure.dataset.scale = log ? 'log' : 'linear';
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const d = data();
      plot.setData(d);
      figure.dataset.points = String(d[0].length); // how many x values are plotted: read by the browser test
    });
  };
}

/** Diverging blue-white-red colour of v in [-scale, scale]; NaN magenta, infinities black/yellow. */
function color(v, scale) {
  if (Number.isNaN(v)) return [214, 0, 214];
  if (v === Infinity) return [255, 200, 0];
  if (v === -Infinity) return [0, 0, 0];
  const t = scale === 0 ? 0 : Math.max(-1, Math.min(1, v / scale));
  const fade = (c) => Math.round(255 + (c - 255) * Math.abs(t));
  return t >= 0 ? [fade(178), fade(24), fade(43)] : [fade(33), fade(102), fade(172)];
}

/**
 * A heat map of a 2-D array (rows of numbers or "NaN" strings) on a canvas, one pixel per element, scaled up;
 * the colour scale is the largest finite |value| unless given (blocks of one tensor share one); at(i, j) names a
 * cell's index in the read-out (a block of a larger tensor gives the whole tensor's); size: the drawn width to
 * fit in, px; legend: false leaves the colour legend to a neighbour on the same scale.
 */
export function heatmap(container, rows, label, { scale = null, at = (i, j) => [i, j], size = 400, legend = true } = {}) {
  const values = rows.map((r) => r.map(num));
  const nRows = values.length;
  const nCols = nRows ? values[0].length : 0;
  if (scale === null) scale = maxAbs(values);
  const canvas = h('canvas', { width: nCols, height: nRows, role: 'img',
    'aria-label': `${label}: ${nRows} by ${nCols}, colour from −${fmt(scale)} (blue) through 0 (white) to +${fmt(scale)} (red)` });
  const cell = Math.max(1, Math.min(16, Math.floor(size / Math.max(nCols, 1)), Math.floor((size * 3) / 4 / Math.max(nRows, 1))));
  canvas.style.width = `${nCols * cell}px`;
  canvas.style.height = `${nRows * cell}px`;
  const image = new ImageData(Math.max(nCols, 1), Math.max(nRows, 1));
  values.forEach((r, i) => r.forEach((v, j) => {
    const [red, green, blue] = color(v, scale);
    image.data.set([red, green, blue, 255], (i * nCols + j) * 4);
  }));
  if (nRows && nCols) canvas.getContext('2d').putImageData(image, 0, 0);
  const readout = h('p', { class: 'readout', 'aria-live': 'polite' }, 'Point at a cell to read it.');
  canvas.addEventListener('mousemove', (e) => {
    const box = canvas.getBoundingClientRect(); // the canvas may be shrunk to fit: map through its drawn size
    const j = Math.floor(((e.clientX - box.left) * nCols) / box.width);
    const i = Math.floor(((e.clientY - box.top) * nRows) / box.height);
    if (i < nRows && j < nCols) readout.textContent = `[${at(i, j).join(', ')}] = ${fmt(values[i][j])}`;
  });
  const key = !legend ? null : h('div', { class: 'legend' },
    h('span', { class: 'swatch', style: 'background:#2166ac' }), `−${fmt(scale)}`,
    h('span', { class: 'swatch', style: 'background:#fff' }), '0',
    h('span', { class: 'swatch', style: 'background:#b2182b' }), `+${fmt(scale)}`,
    h('span', { class: 'swatch', style: 'background:#d600d6' }), 'NaN',
    h('span', { class: 'swatch', style: 'background:#ffc800' }), '+∞',
    h('span', { class: 'swatch', style: 'background:#000' }), '−∞');
  container.append(h('figure', { class: 'chart' }, h('figcaption', {}, label), canvas, key, readout));
  return canvas;
}

/** The largest finite |v| of nested arrays of numbers (0 if none). */
export function maxAbs(values) {
  let scale = 0;
  for (const v of Array.isArray(values) ? values.flat(Infinity) : [values]) {
    const x = num(v);
    if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  }
  return scale;
}

/**
 * A convolution's weight [out, in, kH, kW] (or [out, in, k]) as a grid of its kernels: a row per
 * output channel, a column per input channel, every kernel a small heat map on one shared colour
 * scale, so filters that learned something stand out from noise. Large weights show their first
 * `max` rows and columns.
 */
export function kernels(container, data, shape, label, max = 16) {
  const [out, inp] = shape;
  const kh = shape.length === 4 ? shape[2] : 1;
  const kw = shape[shape.length - 1];
  const kernel = (o, i) => (shape.length === 4 ? data[o][i] : [data[o][i]]).map((r) => r.map(num));
  const rows = Math.min(out, max);
  const cols = Math.min(inp, max);
  let scale = 0;
  for (let o = 0; o < rows; o++) for (let i = 0; i < cols; i++) {
    for (const r of kernel(o, i)) for (const v of r) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  }
  const width = cols * (kw + 1) - 1;
  const height = rows * (kh + 1) - 1;
  const canvas = h('canvas', { width, height, role: 'img',
    'aria-label': `${label}: kernels of ${rows} of ${out} output and ${cols} of ${inp} input channels, each ${kh} by ${kw}, `
      + `colour from −${fmt(scale)} (blue) through 0 (white) to +${fmt(scale)} (red)` });
  const cell = Math.max(1, Math.min(8, Math.floor(560 / Math.max(width, 1))));
  canvas.style.width = `${width * cell}px`;
  canvas.style.height = `${height * cell}px`;
  const image = new ImageData(width, height);
  image.data.fill(230);   // the gaps between kernels: light grey
  for (let o = 0; o < rows; o++) for (let i = 0; i < cols; i++) {
    kernel(o, i).forEach((r, y) => r.forEach((v, x) => {
      const [red, green, blue] = color(v, scale);
      image.data.set([red, green, blue, 255], ((o * (kh + 1) + y) * width + i * (kw + 1) + x) * 4);
    }));
  }
  canvas.getContext('2d').putImageData(image, 0, 0);
  const readout = h('p', { class: 'readout', 'aria-live': 'polite' }, 'Point at a kernel to read it.');
  canvas.addEventListener('mousemove', (e) => {
    const box = canvas.getBoundingClientRect();
    const px = Math.floor(((e.clientX - box.left) * width) / box.width);
    const py = Math.floor(((e.clientY - box.top) * height) / box.height);
    const [o, y, i, x] = [Math.floor(py / (kh + 1)), py % (kh + 1), Math.floor(px / (kw + 1)), px % (kw + 1)];
    if (y < kh && x < kw && o < rows && i < cols) {
      const at = shape.length === 4 ? `[${o}, ${i}, ${y}, ${x}]` : `[${o}, ${i}, ${x}]`;
      readout.textContent = `${at} = ${fmt(kernel(o, i)[y][x])}`;
    }
  });
  const shown = rows < out || cols < inp ? ` (the first ${rows} × ${cols} of ${out} × ${inp} kernels)` : '';
  container.append(h('figure', { class: 'chart wide' }, h('figcaption', {}, `${label}: kernels${shown}`), canvas, readout));
  return canvas;
}

/** Horizontal bars, one per row {label, value}; null values are listed with a note, not drawn. */
export function bars(container, title, rows, note) {
  const max = Math.max(0, ...rows.map((r) => (Number.isFinite(num(r.value)) ? num(r.value) : 0)));
  const list = h('ol', { class: 'bars' }, rows.map((r) => {
    const v = num(r.value);
    const pct = Number.isFinite(v) && max > 0 ? (100 * v) / max : 0;
    return h('li', {}, h('span', { class: 'bar-label' }, r.label),
      h('span', { class: 'bar-track' }, h('span', { class: 'bar', style: `width:${pct}%` })),
      h('span', { class: 'bar-value' }, r.value === null ? note : fmt(v)));
  }));
  container.append(h('figure', { class: 'chart wide' }, h('figcaption', {}, title), list));
}
