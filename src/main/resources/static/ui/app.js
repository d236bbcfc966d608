// Hash routes: #/models, #/models/{id}[/{tab or selected item}], #/jobs/{id}, #/state-dicts, #/state-dicts/{id}. Each page
// renders into <main> and stops its requests and streams (through its AbortSignal) when another page takes over; a page
// with an update() takes a new address of itself (another tab, back and forward) in place.
import { token } from './api.js';
import { h, problemBox } from './dom.js';
import { ask, forget, newPage, refresh } from './access.js';
import * as models from './models.js';
import * as model from './model.js';
import * as jobs from './jobs.js';
import * as stateDicts from './statedicts.js';
import * as stateDict from './statedict.js';

const ROUTES = [
  [/^#?\/?(models)?\/?$/, models],
  [/^#\/models\/([^/]+)(?:\/([^/]+))?$/, model, (m) => {
    const rest = m[2] && decodeURIComponent(m[2]);
    return /^[mp]:/.test(rest || '') ? { id: decodeURIComponent(m[1]), select: rest } : { id: decodeURIComponent(m[1]), tab: rest };
  }],
  [/^#\/jobs\/([^/]+)$/, jobs, (m) => ({ id: decodeURIComponent(m[1]) })],
  [/^#\/state-dicts\/?$/, stateDicts],
  [/^#\/state-dicts\/([^/]+)$/, stateDict, (m) => ({ id: decodeURIComponent(m[1]) })],
];

const main = document.getElementById('main');
let controller = null;

let current = null; // the page shown

async function route() {
  const hash = location.hash || '#/models';
  for (const [pattern, page, params] of ROUTES) {
    const m = hash.match(pattern);
    if (!m) continue;
    if (page === current && page.update?.(params ? params(m) : {})) return;
    break;
  }
  await render();
}

async function render() {
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  newPage();
  main.replaceChildren();
  document.title = 'paramlab';
  const hash = location.hash || '#/models';
  for (const [pattern, page, params] of ROUTES) {
    const m = hash.match(pattern);
    if (!m) continue;
    current = page;
    try {
      await page.render(main, params ? params(m) : {}, signal, render);
    } catch (e) {
      if (signal.aborted) return;
      if (!main.querySelector('h1')) main.append(h('h1', { tabindex: '-1' }, 'Could not load this page'));
      main.append(problemBox(e));
      if (e.status === 401 || e.status === 403) settings.open = true;
    }
    if (!signal.aborted) {
      refresh(); // the page's controls, as far as the token's role is known
      // The new page's heading takes the focus, unless the user is already in the page: a live page (a running
      // job's) finishes rendering only when its stream ends, and must not pull the focus off a control then.
      if (!main.contains(document.activeElement)) main.querySelector('h1')?.focus({ preventScroll: true });
    }
    return;
  }
  current = null;
  main.append(h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, h('a', { href: '#/models' }, 'Go to the models')));
}

// The token box: kept in this browser only, sent as "Authorization: Bearer" on every API call.
const settings = document.getElementById('settings');
const input = document.getElementById('token');
const saved = document.getElementById('token-status');
const describe = () => { saved.textContent = token.get() ? 'A token is set.' : 'No token: the API is called without one.'; };
input.value = token.get();
describe();
document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token.set(input.value.trim());
  forget();
  describe();
  ask();
  render();
});
document.getElementById('token-clear').addEventListener('click', () => {
  input.value = '';
  token.set('');
  forget();
  describe();
});

window.addEventListener('hashchange', route);
ask();   // the token's role, so the controls say what it may not do before it tries
route();
