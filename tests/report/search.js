// tests/report/search.js SITE TERM: run the site's search.js on a stub DOM (node),
// with search-index.js loaded as the page would, type TERM into the box and
// print each result as "href<TAB>text<TAB>meta". No browser needed.
'use strict';
const fs = require('fs'), path = require('path'), vm = require('vm');
const [site, term] = process.argv.slice(2);
function el(tag) {
	return { tag, children: [], listeners: {}, textContent: '', className: '', href: '', src: '',
		appendChild(c) { this.children.push(c); if (c.tag === 'script') load(c); return c; },
		addEventListener(k, f) { this.listeners[k] = f; } };
}
const nodes = { search: el('form'), q: el('input'), results: el('ul') };
const ctx = { window: {}, document: { head: el('head'), getElementById: (id) => nodes[id] || null,
	createElement: el } };
ctx.window = ctx;
Object.defineProperty(nodes.results, 'textContent', { set() { this.children = []; }, get() { return ''; } });
function load(s) {
	vm.runInNewContext(fs.readFileSync(path.join(site, s.src), 'utf8'), ctx);
	if (s.onload) s.onload();
}
vm.runInNewContext(fs.readFileSync(path.join(site, 'search.js'), 'utf8'), ctx);
nodes.q.value = term;
nodes.q.listeners.input();
for (const li of nodes.results.children) {
	const a = li.children[0], m = li.children[1];
	console.log([a.href, a.textContent, m ? m.textContent.trim() : ''].join('\t'));
}
