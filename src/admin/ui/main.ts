/** Entry point of the admin UI bundle: renders the page the URL names into `#app`. */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { html, render } from 'htm/preact';
import { Dashboard } from './dashboard.js';
import { Playground } from './playground.js';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(location.pathname.replace(/\/+$/, '') === '/delegator' ? html`<${Playground} />` : html`<${Dashboard} />`, root);
}
