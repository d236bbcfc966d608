// What the UI changes, all through the public API with the token from Settings: a model's name, mode,
// deletion and an init rule; a checkpoint made or restored; a job cancelled or resumed. Each control is
// registered with access.js (disabled, with its reason, when the token's role cannot use it), destructive
// ones ask first, and every refusal shows as the API's problem (title and detail) beside the control.
import { api, enc } from './api.js';
import { h, problemBox } from './dom.js';
import { control, learn, reasons } from './access.js';

/** A message for the next render of the page (an action that reloads it says what it did). */
let pendingNotice = null;
export const notice = {
  set: (text) => { pendingNotice = text; },
  take: () => {
    const text = pendingNotice;
    pendingNotice = null;
    return text ? h('p', { class: 'notice', role: 'status' }, text) : null;
  },
};

/** Runs an action's request: its problem, if any, goes into `out` (and a 403 teaches access.js the role). */
export async function act(out, step) {
  out.replaceChildren();
  try {
    return await step();
  } catch (e) {
    learn(e);
    out.append(problemBox(e));
    return undefined;
  }
}

const INIT_POLICIES = {
  xavier_uniform: '{"gain": 1}', xavier_normal: '{"gain": 1}',
  kaiming_uniform: '{"a": 0, "mode": "fan_in", "nonlinearity": "leaky_relu"}',
  kaiming_normal: '{"a": 0, "mode": "fan_in", "nonlinearity": "leaky_relu"}',
  uniform: '{"a": 0, "b": 1}', normal: '{"mean": 0, "std": 1}', trunc_normal: '{"mean": 0, "std": 1, "a": -2, "b": 2}',
  constant: '{"value": 0}', zeros: '', ones: '', orthogonal: '{"gain": 1}', eye: '', default: '',
  custom: '{"base": {"type": "normal"}, "expr": "w * (abs(w) >= 1)"}',
};

/** The model page's actions: rename, train/eval mode, delete, and an init rule from a form. */
export function modelActions(model, modules, reload) {
  const out = h('div', { class: 'action-result', 'aria-live': 'polite' });
  const owner = model.owner;

  const name = h('input', { id: 'rename-name', type: 'text', value: model.name || '', required: true, maxlength: 200 });
  const rename = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    const done = await act(out, () => api(`models/${enc(model.id)}`, { method: 'PATCH', body: { name: name.value }, ifMatch: model.version }));
    if (done) {
      notice.set(`Renamed to "${done.data.name}" (version ${done.data.version}).`);
      reload();
    }
  } }, control(h('fieldset', { class: 'plain' }, h('legend', { class: 'visually-hidden' }, 'Rename'),
    h('label', { for: 'rename-name' }, 'Name'), name, h('button', { type: 'submit' }, 'Rename')), 'change', owner));

  const mode = control(h('button', { type: 'button', id: 'mode', onclick: async () => {
    const done = await act(out, () => api(`models/${enc(model.id)}`, { method: 'PATCH', body: { training: !model.training }, ifMatch: model.version }));
    if (done) {
      notice.set(`Now in ${done.data.training ? 'training' : 'eval'} mode (model.${done.data.training ? 'train' : 'eval'}()).`);
      reload();
    }
  } }, model.training ? 'Switch to eval mode' : 'Switch to training mode'), 'change', owner);

  const remove = control(h('button', { type: 'button', id: 'delete-model', class: 'danger', onclick: async () => {
    if (!confirm(`Delete the model "${model.name || model.id}" (${model.id}) with its checkpoints, history and jobs? This cannot be undone.`)) return;
    const done = await act(out, () => api(`models/${enc(model.id)}`, { method: 'DELETE' }));
    if (done) {
      notice.set(`Deleted the model "${model.name || model.id}" (${model.id}).`);
      location.hash = '#/models';
    }
  } }, 'Delete model…'), 'delete', owner);

  return h('section', { class: 'actions', 'aria-labelledby': 'model-actions' }, h('h2', { id: 'model-actions' }, 'Actions'),
    reasons(), rename, h('div', { class: 'buttons' }, mode, remove), initForm(model, modules, reload), out);
}

/** One init rule (API.md "Initialization"): module, layer types, local parameter names, a policy and its options, a seed. */
function initForm(model, modules, reload) {
  const out = h('div', { 'aria-live': 'polite' });
  const types = [...new Set(modules.map((m) => m.type))].sort();
  const module = h('select', { id: 'init-module' }, modules.map((m) => h('option', { value: m.path }, m.path === '' ? '(root)' : m.path)));
  const typeBoxes = types.map((t, i) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'init-type', value: t, id: `init-type-${i}` }), ` ${t}`));
  const params = h('input', { id: 'init-params', type: 'text', value: 'weight', 'aria-describedby': 'init-params-help' });
  const policy = h('select', { id: 'init-policy' }, Object.keys(INIT_POLICIES).map((p) => h('option', { value: p }, p)));
  const options = h('input', { id: 'init-options', type: 'text', value: INIT_POLICIES.xavier_uniform, spellcheck: 'false', 'aria-describedby': 'init-options-help' });
  policy.addEventListener('change', () => { options.value = INIT_POLICIES[policy.value]; });
  const seed = h('input', { id: 'init-seed', type: 'number', step: '1', 'aria-describedby': 'init-seed-help' });
  const form = h('form', { class: 'init', onsubmit: async (e) => {
    e.preventDefault();
    let extra = {};
    if (options.value.trim()) {
      try {
        extra = JSON.parse(options.value);
      } catch (err) {
        out.replaceChildren(problemBox({ problem: { title: 'Options are not JSON', detail: err.message } }));
        return;
      }
    }
    const rule = { module: module.value, params: {} };
    const checked = typeBoxes.map((l) => l.querySelector('input')).filter((c) => c.checked).map((c) => c.value);
    if (checked.length) rule.layer_types = checked;
    for (const p of params.value.split(',').map((s) => s.trim()).filter(Boolean)) rule.params[p] = { ...extra, type: policy.value };
    const body = { rules: [rule] };
    if (seed.value.trim()) body.seed = Number(seed.value);
    const done = await act(out, () => api(`models/${enc(model.id)}/init`, { method: 'POST', body, ifMatch: model.version }));
    if (done) {
      const list = done.data.initialized;
      notice.set(list.length ? `Initialized ${list.length}: ${list.map((i) => `${i.name} (${i.policy})`).join(', ')}.`
        : 'The rule matched no parameter: nothing initialized.');
      reload();
    }
  } },
  control(h('fieldset', { class: 'plain' }, h('legend', { class: 'visually-hidden' }, 'Init rule'),
    h('div', { class: 'grid' },
      h('label', { for: 'init-module' }, 'Module'), module,
      h('span', { class: 'label', id: 'init-types-label' }, 'Layer types'),
      h('div', { role: 'group', 'aria-labelledby': 'init-types-label', 'aria-describedby': 'init-types-help' }, typeBoxes,
        h('span', { id: 'init-types-help', class: 'muted' }, ' (none checked: every type)')),
      h('label', { for: 'init-params' }, 'Parameters'), h('div', {}, params, h('span', { id: 'init-params-help', class: 'muted' }, ' local names, comma-separated')),
      h('label', { for: 'init-policy' }, 'Policy'), policy,
      h('label', { for: 'init-options' }, 'Options (JSON)'), h('div', {}, options, h('span', { id: 'init-options-help', class: 'muted' }, ' nn.init\'s defaults shown')),
      h('label', { for: 'init-seed' }, 'Seed'), h('div', {}, seed, h('span', { id: 'init-seed-help', class: 'muted' }, ' optional: torch.manual_seed first'))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Initialize'))), 'change', model.owner),
  out);
  return h('details', { class: 'init-rule' }, h('summary', {}, 'Initialize parameters (net[module].apply)'), form);
}

/** Make a checkpoint (tag and message optional). */
export function checkpointForm(model, reload) {
  const out = h('div', { 'aria-live': 'polite' });
  const tag = h('input', { id: 'checkpoint-tag', type: 'text', maxlength: 100 });
  const message = h('input', { id: 'checkpoint-message', type: 'text' });
  const form = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    if (tag.value.trim()) body.tag = tag.value.trim();
    if (message.value.trim()) body.message = message.value.trim();
    const done = await act(out, () => api(`models/${enc(model.id)}/checkpoints`, { method: 'POST', body }));
    if (done) {
      notice.set(`Checkpoint ${done.data.tag || done.data.id} made at version ${done.data.model_version}.`);
      reload();
    }
  } }, control(h('fieldset', { class: 'plain' }, h('legend', {}, 'New checkpoint of the model as it is now'),
    h('label', { for: 'checkpoint-tag' }, 'Tag'), tag, h('label', { for: 'checkpoint-message' }, 'Message'), message,
    h('button', { type: 'submit' }, 'Make checkpoint')), 'change', model.owner));
  return [form, out];
}

/** Restore a checkpoint into the model, after asking. */
export function restoreButton(model, checkpoint, out, reload) {
  const name = checkpoint.tag || checkpoint.id;
  return control(h('button', { type: 'button', class: 'restore', 'aria-label': `Restore ${name}`, onclick: async () => {
    if (!confirm(`Restore checkpoint ${name} (version ${checkpoint.model_version}) into "${model.name || model.id}"? `
      + 'Its parameters, buffers, optimizer state and mode become the checkpoint\'s; gradients and name stay.')) return;
    const done = await act(out, () => api(`models/${enc(model.id)}/checkpoints/${enc(checkpoint.id)}/restore`, { method: 'POST', ifMatch: model.version }));
    if (done) {
      notice.set(`Restored ${name}: the model is at version ${done.data.version}.`);
      reload();
    }
  } }, 'Restore…'), 'change', model.owner);
}

/** A job's cancel and resume buttons, each shown when the job's status allows it. */
export function jobButtons(job, owner, out, onDone) {
  const cancel = control(h('button', { type: 'button', id: 'job-cancel', hidden: !['queued', 'running'].includes(job.status), onclick: async () => {
    if (!confirm(`Cancel job ${job.id}? It stops after the step in progress; the model keeps the state after the last completed step.`)) return;
    if (await act(out, () => api(`jobs/${enc(job.id)}/cancel`, { method: 'POST' }))) onDone('cancel');
  } }, 'Cancel job…'), 'change', owner);
  const resume = control(h('button', { type: 'button', id: 'job-resume', hidden: !['cancelled', 'interrupted'].includes(job.status), onclick: async () => {
    if (await act(out, () => api(`jobs/${enc(job.id)}/resume`, { method: 'POST' }))) onDone('resume');
  } }, 'Resume job'), 'change', owner);
  const update = (status) => {
    cancel.hidden = !['queued', 'running'].includes(status);
    resume.hidden = !['cancelled', 'interrupted'].includes(status);
  };
  return { el: h('div', { class: 'buttons' }, cancel, resume), update };
}
