// bench/peer.js KBDIR QUESTIONS: the peer of issue 11, MiniSearch (fuzzy
// BM25) over the ask: examples of KBDIR, each labelled with its topic (or
// section). Answers every line of QUESTIONS with its best topic on stdout;
// on stderr, how long indexing and searching took in this process.
//
// Run by bench/peer.sh, which installs minisearch into build/peer/ and
// times this against `hoidap ask --batch` on the same questions.
'use strict';
const fs = require('fs');
const path = require('path');
const ms_module = require(require.resolve('minisearch',
	{ paths: [path.resolve(__dirname, '../build/peer')] }));
const MiniSearch = ms_module.default || ms_module;

const [kbdir, qfile] = process.argv.slice(2);
const t0 = process.hrtime.bigint();

// Folded like hoidap's texts: no diacritics, đ as d, lower case.
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
	.replace(/[đĐ]/g, 'd').toLowerCase();

const docs = [];
for (const f of fs.readdirSync(kbdir).filter((n) => n.endsWith('.txt')).sort()) {
	let topic = null, id = null;
	for (const line of fs.readFileSync(path.join(kbdir, f), 'utf8').split('\n')) {
		let m;
		if ((m = /^== *(\S+)/.exec(line)) && !line.startsWith('=== ')) {
			topic = id = m[1];
		} else if ((m = /^=== *(\S+)/.exec(line)) && topic) {
			id = topic + '#' + m[1];
		} else if ((m = /^ask: *(.*)$/.exec(line)) && id) {
			docs.push({ id: docs.length, topic: id, text: m[1] });
		}
	}
}
const ms = new MiniSearch({
	fields: ['text'],
	storeFields: ['topic'],
	processTerm: (t) => fold(t),
	searchOptions: { fuzzy: 0.2 },
});
ms.addAll(docs);
const t1 = process.hrtime.bigint();

const qs = fs.readFileSync(qfile, 'utf8').split('\n').filter((l) => l.length);
const out = [];
for (const q of qs) {
	const r = ms.search(q);
	out.push(r.length ? r[0].topic : '-');
}
const t2 = process.hrtime.bigint();
process.stdout.write(out.join('\n') + '\n');
process.stderr.write(`minisearch docs=${docs.length} questions=${qs.length} ` +
	`index_ms=${(Number(t1 - t0) / 1e6).toFixed(1)} ` +
	`search_qps=${Math.round(qs.length / (Number(t2 - t1) / 1e9))}\n`);
