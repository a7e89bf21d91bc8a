// Swaps Datasette's English words, raw parameter names and column names on query pages
// for the Vietnamese ones in metadata.yaml (plugins.dxplan); the page passes them in.
function dxplanLabels(words) {
  const ui = words.ui || {};
  const swapText = (el, text) => { if (text) el.textContent = text; };
  document.querySelectorAll('form label[for^="qp"]').forEach((label) => {
    swapText(label, (words.params || {})[label.textContent.trim()]);
  });
  document.querySelectorAll('form input[type="submit"][value="Run SQL"]').forEach((b) => { b.value = ui.run; });
  document.querySelectorAll('form h3').forEach((h) => {
    const first = h.firstChild;
    if (!first || first.nodeType !== Node.TEXT_NODE) return;
    if (first.textContent.trim() === 'Query parameters') { first.textContent = ui.parameters; return; }
    const m = first.textContent.match(/^\s*Custom SQL query(?: returning (more than )?([\d,]+) rows?)?/);
    if (m) first.textContent = ui.result + (m[2] ? ': ' + (m[1] ? '> ' : '') + m[2] + ' ' + ui.rows + ' ' : ' ');
  });
  document.querySelectorAll('.show-hide-sql a').forEach((a) => {
    swapText(a, { show: ui.show, hide: ui.hide }[a.textContent.trim()]);
  });
  document.querySelectorAll('a.canned-query-edit-sql').forEach((a) => swapText(a, ui.edit));
  const exp = document.querySelector('p.export-links');
  if (exp && exp.firstChild && exp.firstChild.nodeType === Node.TEXT_NODE) exp.firstChild.textContent = ui.export + ' ';
  document.querySelectorAll('table.rows-and-columns thead th').forEach((th) => {
    const name = th.textContent.trim();
    const text = (words.columns || {})[name];
    if (text) { th.title = name; th.textContent = text; }
  });
}
