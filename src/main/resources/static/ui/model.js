// One model: its module tree (tied modules marked), each parameter's statistics, histograms and heat maps.
import { get, enc, num } from './api.js';
import { h, fmt, when, guarded } from './dom.js';
import { histogram, heatmap, kernels } from './charts.js';
import { tree, modulePaths, parentOf, localName } from './tree.js';
import { tabs } from './tabs.js';
import { checkpointsPanel, jobsPanel } from './history.js';
import { modelActions, notice } from './actions.js';
import { spectraPanel } from './spectra.js';
import { packing, packedView, unpackedNote } from './packed.js';

const STAT_ROWS = ['mean', 'std', 'min', 'max', 'l2_norm', 'zero_fraction', 'nan_count', 'inf_count'];

const TABS = ['parameters', 'checkpoints', 'jobs', 'spectra'];
let shown = null; // the rendered model page: {id, tabs, select(key), selected}, for update() on back/forward

/**
 * #/models/{id} and #/models/{id}/{m:path or p:name} (the Parameters tab, an item selected),
 * #/models/{id}/checkpoints, /jobs, /spectra: each tab has its own address, so back, forward and reload keep it.
 */
export async function render(main, { id, select, tab }, signal, reload) {
  shown = null;
  const [model, modules, params] = await Promise.all([get(`models/${enc(id)}`, signal),
    get(`models/${enc(id)}/modules`, signal), get(`models/${enc(id)}/parameters`, signal)]);
  const lazy = params.some((p) => p.initialized === false);
  document.title = `${model.name || model.id} · paramlab`;
  main.append(h('h1', { tabindex: '-1' }, model.name || `model ${model.id}`), notice.take() || '',
    h('dl', { class: 'facts' },
      fact('id', h('code', {}, model.id)),
      model.owner ? fact('owner', model.owner) : null,
      fact('parameters', fmt(model.parameter_count)),
      model.version !== undefined ? fact('version', model.version) : null,
      fact('mode', model.training ? 'training' : 'eval'),
      fact('created', when(model.created_at)),
      model.updated_at ? fact('last change', when(model.updated_at)) : null),
    h('p', {}, h('a', { href: '/swagger-ui.html' }, 'Try its endpoints in Swagger UI'), ' · ',
      h('a', { href: '#/models' }, 'All models')),
    modelActions(model, modules, reload));
  const page = { id: model.id, selected: select || null, select: null };
  const address = (t) => `#/models/${enc(model.id)}${t === 'parameters' ? (page.selected ? `/${enc(page.selected)}` : '') : `/${t}`}`;
  page.tabs = tabs('Model views', [
    { id: 'parameters', label: 'Parameters', render: (panel) => guarded(panel, () => parametersPanel(panel, model, modules, params, lazy, page, signal)) },
    { id: 'checkpoints', label: 'Checkpoints', render: (panel) => guarded(panel, () => checkpointsPanel(panel, model, signal, reload)) },
    { id: 'jobs', label: 'Jobs', render: (panel) => guarded(panel, () => jobsPanel(panel, model.id, signal)) },
    { id: 'spectra', label: 'Spectra', render: (panel) => (lazy
      ? panel.append(h('p', { class: 'note' }, 'Some parameters are uninitialized (lazy): a forward pass gives them their shapes, and then their spectra.'))
      : guarded(panel, () => spectraPanel(panel, `models/${enc(model.id)}/spectra`, signal))) },
  ], { initial: TABS.includes(tab) ? tab : 'parameters',
    onShow: (t) => { if (decodeURIComponent(location.hash) !== decodeURIComponent(address(t))) location.hash = address(t); } });
  main.append(page.tabs);
  shown = page;
}

/** A new address of the page already shown (a tab chosen, back or forward): answers whether it was handled in place. */
export function update({ id, select, tab }) {
  if (!shown || shown.id !== id || !shown.tabs.isConnected) return false;
  if (select && select !== shown.selected) {
    if (shown.select) shown.select(select, false);
    else shown.selected = select; // the tree is drawn when its tab is first shown, with this selected
  }
  shown.tabs.show(TABS.includes(tab) ? tab : 'parameters');
  return true;
}

const fact = (term, value) => h('div', {}, h('dt', {}, term), h('dd', {}, value));

async function parametersPanel(panel, model, modules, params, lazy, page, signal) {
  // Statistics of the whole model in one call; a model with an uninitialized lazy parameter has none as a whole
  // (the API answers 422), so then it is not asked, and each initialized parameter's statistics are asked for when it is shown.
  const stats = lazy ? null : await get(`models/${enc(model.id)}/stats?bins=30`, signal);
  const statsOf = new Map((stats?.parameters || []).map((s) => [s.name, s]));
  const paramOf = new Map();
  const localParams = new Map(); // module path -> its parameters' full names, every alias in its place
  for (const p of params) {
    for (const name of [p.name, ...p.aliases]) {
      paramOf.set(name, p);
      localParams.set(parentOf(name), [...(localParams.get(parentOf(name)) || []), name]);
    }
  }

  const { byPath, paths } = modulePaths(model.spec, modules);
  const nodes = [];
  for (const path of paths) {
    const m = byPath.get(path);
    const tied = m.aliases.length > 0;
    const depth = path === '' ? 0 : path.split('.').length;
    nodes.push({ key: `m:${path}`, parent: path === '' ? null : `m:${parentOf(path)}`, depth,
      label: [path === '' ? h('span', {}, '(root)') : h('code', {}, localName(path)), ' ', h('span', { class: 'type' }, m.type),
        tied ? badge('tied', `tied: one module at ${[m.path, ...m.aliases].join(', ')}`) : null] });
    for (const name of localParams.get(path) || []) {
      const p = paramOf.get(name);
      const s = statsOf.get(p.name);
      const bad = s && (s.data.nan_count + s.data.inf_count + (s.grad ? s.grad.nan_count + s.grad.inf_count : 0)) > 0;
      nodes.push({ key: `p:${name}`, parent: `m:${path}`, depth: depth + 1,
        label: [h('code', {}, localName(name)), ' ', h('span', { class: 'shape' }, p.shape ? `[${p.shape.join(', ')}]` : 'uninitialized'),
          p.aliases.length ? badge('tied', `tied: one parameter at ${[p.name, ...p.aliases].join(', ')}`) : null,
          bad ? badge('NaN/Inf', 'has NaN or infinite values', 'alert') : null,
          p.initialized === false ? badge('lazy', 'uninitialized lazy parameter', 'muted') : null] });
    }
  }

  const layout = h('div', { class: 'split' });
  const nav = h('nav', { class: 'tree-pane', 'aria-label': 'Module tree' }, h('h2', {}, 'Modules'));
  const detail = h('div', { class: 'detail' });
  layout.append(nav, detail);
  panel.append(layout);
  let controller = null;
  const select = tree(nav, nodes, 'Modules and parameters', (key) => {
    controller?.abort();
    controller = new AbortController();
    const inner = AbortSignal.any ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    detail.replaceChildren();
    page.selected = key;
    history.replaceState(null, '', `#/models/${enc(model.id)}/${enc(key)}`); // a link to this view, without a new render
    const goTo = (k) => select(k);
    if (key.startsWith('m:')) showModule(detail, byPath.get(key.slice(2)), key.slice(2), paramOf, goTo);
    else guarded(detail, () => showParameter(detail, model.id, paramOf.get(key.slice(2)), key.slice(2), statsOf, goTo, inner,
      byPath.get(parentOf(key.slice(2)))?.type));
  });
  page.select = select;
  select(nodes.some((n) => n.key === page.selected) ? page.selected : 'm:', false);
  if (stats) panel.append(overview(stats, (name) => select(`p:${name}`)));
  else panel.append(h('p', { class: 'note' }, 'Some parameters are uninitialized (lazy), so the model has no statistics as a whole yet; each initialized parameter shows its own.'));
}

const badge = (text, title, kind = '') => h('span', { class: `badge ${kind}`, title }, text);

function aliasLinks(here, all, goTo, prefix) {
  const others = all.filter((p) => p !== here);
  if (!others.length) return null;
  return h('p', { class: 'tied' }, h('strong', {}, 'Tied: '), 'the same object also at ',
    others.map((p, i) => [i ? ', ' : '', h('button', { type: 'button', class: 'link', onclick: () => goTo(`${prefix}${p}`) }, p === '' ? '(root)' : p)]),
    '. A write through one path is seen through every path; its gradient is the sum over all uses.');
}

function showModule(detail, m, path, paramOf, goTo) {
  const own = [...paramOf.keys()].filter((n) => parentOf(n) === path);
  detail.append(...[h('h2', {}, path === '' ? 'Root module' : `Module ${path}`, ' ', h('span', { class: 'type' }, m.type)),
    aliasLinks(path, [m.path, ...m.aliases], goTo, 'm:'),
    h('pre', { class: 'repr', tabindex: '0', 'aria-label': 'repr' }, m.repr),
    own.length ? h('p', {}, 'Parameters: ', own.map((n, i) => [i ? ', ' : '',
      h('button', { type: 'button', class: 'link', onclick: () => goTo(`p:${n}`) }, localName(n))])) : null].filter(Boolean));
}

async function showParameter(detail, modelId, p, name, statsOf, goTo, signal, moduleType) {
  detail.append(...[h('h2', {}, `Parameter ${name} `, h('span', { class: 'type' },
    p.shape ? `[${p.shape.join(', ')}] ${p.dtype}` : '', p.requires_grad === false ? ', requires_grad=False' : '')),
  aliasLinks(name, [p.name, ...p.aliases], goTo, 'p:')].filter(Boolean));
  if (p.initialized === false || !p.shape) {
    detail.append(h('p', { class: 'note' }, 'Uninitialized (lazy): its shape and values come with the first forward pass, which infers in_features from the input.'));
    return;
  }
  const [s, tensor] = await Promise.all([
    statsOf.get(p.name) || get(`models/${enc(modelId)}/parameters/${enc(p.name)}/stats?bins=30`, signal),
    get(`models/${enc(modelId)}/parameters/${enc(p.name)}`, signal)]);
  detail.append(...callouts(s, tensor));
  const charts = h('div', { class: 'charts' }, statsTable(s));
  detail.append(charts);
  histogram(charts, s.data.histogram, `Histogram of ${name}`);
  if (s.grad) histogram(charts, s.grad.histogram, `Histogram of ${name}.grad`, '#b45309');
  else charts.append(h('p', { class: 'muted' }, 'No gradient yet (grad is None until a backward pass).'));
  const pack = packing(moduleType, localName(name), p.shape);
  const note = pack ? null : unpackedNote(moduleType, localName(name));
  if (note) detail.append(h('p', { class: 'note' }, note));
  if (pack) {
    packedView(detail, tensor, pack, name); // an RNN's gates or attention's q, k, v, each on its own
  } else if (p.shape.length === 2) {
    const maps = h('div', { class: 'charts' });
    detail.append(h('h3', {}, 'Heat maps'), maps);
    heatmap(maps, tensor.data.data, `${name}`);
    if (tensor.grad) heatmap(maps, tensor.grad.data, `${name}.grad`);
  } else if ((p.shape.length === 4 || p.shape.length === 3) && localName(name) === 'weight') {
    const maps = h('div', { class: 'charts' });
    detail.append(h('h3', {}, 'Kernels'), maps);
    kernels(maps, tensor.data.data, p.shape, name);
    if (tensor.grad) kernels(maps, tensor.grad.data, p.shape, `${name}.grad`);
  }
}

/** NaN/Inf with their positions, and dead units (rows of a weight that are all zero). */
function callouts(s, tensor) {
  const out = [];
  for (const [label, st, t] of [['values', s.data, tensor.data], ['gradient', s.grad, tensor.grad]]) {
    if (!st || !t) continue;
    if (st.nan_count || st.inf_count) {
      const where = nonFinite(t.data, []).slice(0, 10).map((i) => `[${i.join(', ')}]`).join(' ');
      out.push(h('p', { class: 'callout alert' }, h('strong', {}, `Non-finite ${label}: `),
        `${st.nan_count} NaN, ${st.inf_count} infinite, at ${where}${st.nan_count + st.inf_count > 10 ? ' …' : ''}`));
    }
    if (t.shape.length === 2 && t.shape[0] > 0) {
      const dead = t.data.map((row, i) => (row.every((v) => num(v) === 0) ? i : -1)).filter((i) => i >= 0);
      if (dead.length) {
        out.push(h('p', { class: 'callout warn' }, h('strong', {}, label === 'values' ? 'Dead units: ' : 'Units without gradient: '),
          `${dead.length} of ${t.shape[0]} rows are all zero (rows ${dead.slice(0, 20).join(', ')}${dead.length > 20 ? ' …' : ''}).`));
      }
    }
  }
  return out;
}

function nonFinite(data, index) {
  if (!Array.isArray(data)) return Number.isFinite(num(data)) ? [] : [index];
  return data.flatMap((d, i) => nonFinite(d, [...index, i]));
}

function statsTable(s) {
  const head = h('tr', {}, h('th', { scope: 'col' }, 'statistic'), h('th', { scope: 'col', class: 'num' }, 'data'),
    h('th', { scope: 'col', class: 'num' }, 'grad'));
  const rows = STAT_ROWS.map((k) => h('tr', {}, h('th', { scope: 'row' }, k),
    h('td', { class: 'num' }, fmt(s.data[k])), h('td', { class: 'num' }, s.grad ? fmt(s.grad[k]) : '—')));
  rows.push(h('tr', {}, h('th', { scope: 'row' }, 'update_ratio'), h('td', { class: 'num' }, fmt(s.update_ratio)), h('td', {}, '')));
  return h('table', { class: 'stats' }, h('caption', {}, `Statistics of ${s.numel} elements`), h('thead', {}, head), h('tbody', {}, rows));
}

function overview(stats, goTo) {
  const rows = stats.parameters.map((s) => h('tr', { class: s.data.nan_count + s.data.inf_count ? 'bad' : '' },
    h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => goTo(s.name) }, s.name)),
    h('td', {}, `[${s.shape.join(', ')}]`),
    ...['mean', 'std', 'min', 'max', 'zero_fraction'].map((k) => h('td', { class: 'num' }, fmt(s.data[k]))),
    h('td', { class: 'num' }, s.data.nan_count + s.data.inf_count ? `${s.data.nan_count} / ${s.data.inf_count}` : '0'),
    h('td', { class: 'num' }, s.grad ? fmt(s.grad.l2_norm) : '—'),
    h('td', { class: 'num' }, fmt(s.update_ratio))));
  const cols = ['parameter', 'shape', 'mean', 'std', 'min', 'max', 'zeros', 'NaN / Inf', '‖grad‖', 'update ratio'];
  return h('section', { 'aria-labelledby': 'overview' }, h('h2', { id: 'overview' }, 'All parameters'),
    h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows))));
}
