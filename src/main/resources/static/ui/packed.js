// Parameters PyTorch packs several blocks into: a recurrent layer's gates (stacked along dim 0, as
// torch.nn.LSTM/GRU and their cells store them) and MultiheadAttention's in_proj q, k, v. Each block is
// shown labelled, with its own statistics computed here from the values the API returns.
import { num } from './api.js';
import { h, fmt } from './dom.js';
import { heatmap, maxAbs } from './charts.js';

// PyTorch's order of the blocks along dim 0: torch/nn/modules/rnn.py (weight_ih_l[k] is (W_ii|W_if|W_ig|W_io)
// for LSTM, (W_ir|W_iz|W_in) for GRU) and F.multi_head_attention_forward (in_proj_weight.chunk(3): q, k, v).
// Checked with torch 1.13: LSTMCell, GRUCell and MultiheadAttention recomputed from these chunks give their outputs.
const GATES = {
  LSTM: [['i', 'input gate'], ['f', 'forget gate'], ['g', 'cell candidate'], ['o', 'output gate']],
  GRU: [['r', 'reset gate'], ['z', 'update gate'], ['n', 'new gate']],
};
const PACKED = {
  LSTM: GATES.LSTM, LSTMCell: GATES.LSTM, GRU: GATES.GRU, GRUCell: GATES.GRU,
};
const RECURRENT = /^(weight_ih|weight_hh|bias_ih|bias_hh)(_l\d+(_reverse)?)?$/;
const QKV = [['q', 'query'], ['k', 'key'], ['v', 'value']];

/**
 * How a parameter named `local` (its name in its module) of a module of type `moduleType` with `shape`
 * is packed: {blocks: [{key, label, from, to}], note}, or null when it is one block. RNN and RNNCell
 * have no gates; an LSTM's weight_hr (proj_size) and separate q/k/v_proj_weight are one block each.
 */
export function packing(moduleType, local, shape) {
  let parts = null;
  let what = '';
  if (PACKED[moduleType] && RECURRENT.test(local)) {
    parts = PACKED[moduleType];
    what = `${moduleType} packs its gates along dim 0 as PyTorch does`;
    if (local.startsWith('weight_hh') && shape?.length === 2 && shape[1] * parts.length !== shape[0]) {
      what += ` (with proj_size ${shape[1]}, weight_hh has proj_size columns)`;
    }
  } else if (moduleType === 'MultiheadAttention' && (local === 'in_proj_weight' || local === 'in_proj_bias')) {
    parts = QKV;
    what = 'MultiheadAttention packs the query, key and value projections along dim 0 (embed_dim rows each)';
  }
  if (!parts || !shape?.length || shape[0] % parts.length !== 0) return null;
  const rows = shape[0] / parts.length;
  return {
    note: `${what}: ${parts.length} blocks of ${rows} ${shape.length === 1 ? 'elements' : 'rows'}.`,
    blocks: parts.map(([key, label], i) => ({ key, label, from: i * rows, to: (i + 1) * rows })),
  };
}

/** A note for the layers that have a single block where one might look for gates. */
export function unpackedNote(moduleType, local) {
  if ((moduleType === 'RNN' || moduleType === 'RNNCell') && RECURRENT.test(local)) {
    return `${moduleType} has no gates: one block, h′ = tanh or relu of (W_ih x + b_ih + W_hh h + b_hh).`;
  }
  if (moduleType === 'MultiheadAttention' && /^[qkv]_proj_weight$/.test(local)) {
    return `A separate ${{ q: 'query', k: 'key', v: 'value' }[local[0]]} projection (kdim or vdim differ from embed_dim): not packed.`;
  }
  return null;
}

const STATS = ['mean', 'std', 'min', 'max'];

/** mean, std (unbiased, as torch.std; NaN for one element), min and max of a flat list, in float64. */
export function blockStats(values) {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (const v of values) {
    sum += v;
    if (Number.isNaN(v)) nan = true;
    else {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (nan) min = max = NaN; // as torch.min and torch.max propagate NaN
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: n > 1 ? Math.sqrt(squares / (n - 1)) : NaN, min, max };
}

const flat = (data) => (Array.isArray(data) ? data.flat(Infinity).map(num) : [num(data)]);

/** The blocks of a packed tensor {data, grad} (the API's tensor answer): a table of statistics, a heat map per block. */
export function packedView(container, tensor, pack, name) {
  const { data, grad } = tensor;
  const slice = (t, b) => t.data.slice(b.from, b.to);
  const cell = (v) => h('td', { class: 'num', 'data-value': String(v) }, fmt(v));
  const head = ['block', 'rows', ...STATS, ...(grad ? STATS.map((s) => `grad ${s}`) : [])];
  const rows = pack.blocks.map((b) => {
    const s = blockStats(flat(slice(data, b)));
    const g = grad ? blockStats(flat(slice(grad, b))) : null;
    return h('tr', { 'data-block': b.key },
      h('th', { scope: 'row' }, h('code', {}, b.key), ` ${b.label}`),
      h('td', { class: 'nowrap' }, `${b.from}–${b.to - 1}`),
      ...STATS.map((k) => cell(s[k])), ...(g ? STATS.map((k) => cell(g[k])) : []));
  });
  container.append(h('section', { class: 'packed', 'aria-labelledby': 'packed-heading' },
    h('h3', { id: 'packed-heading' }, 'Blocks as PyTorch packs them'),
    h('p', { class: 'note' }, pack.note),
    h('div', { class: 'scroll' }, h('table', { class: 'stats packed-stats' },
      h('caption', {}, `Statistics per block of ${name}`),
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col', class: c === 'block' || c === 'rows' ? '' : 'num' }, c)))),
      h('tbody', {}, rows)))));
  for (const [t, suffix] of [[data, ''], [grad, '.grad']]) {
    if (!t) continue;
    const maps = h('div', { class: 'charts packed-maps' });
    container.append(h('h3', {}, suffix ? 'Gradient by block' : 'Heat maps by block'), maps);
    const scale = maxAbs(t.data); // one colour scale for all the blocks, so they compare
    for (const [n, b] of pack.blocks.entries()) {
      const block = slice(t, b);
      const oneD = t.shape.length === 1;
      const at = oneD ? (i, j) => [b.from + j] : (i, j) => [b.from + i, j]; // indices in the whole tensor
      const label = `${b.key} (${b.label})${suffix ? ' gradient' : ''}, ${oneD ? 'elements' : 'rows'} ${b.from}–${b.to - 1}`;
      const figure = heatmap(maps, oneD ? [block] : block, label, { scale, at, size: 180, legend: n === pack.blocks.length - 1 })
        .closest('figure');
      figure.dataset.block = `${b.key}${suffix}`;
    }
  }
}
