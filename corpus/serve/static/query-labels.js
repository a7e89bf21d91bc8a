// Swaps Datasette's English words and raw parameter names on query pages for the
// Vietnamese ones in metadata.yaml (plugins.dxplan). `words` is set by the page.
function dxplanLabels(words) {
  document.querySelectorAll('form label[for^="qp"]').forEach((label) => {
    const text = words.params[label.textContent.trim()];
    if (text) label.textContent = text;
  });
  document.querySelectorAll('form input[type="submit"][value="Run SQL"]').forEach((b) => { b.value = words.ui.run; });
  document.querySelectorAll('form h3').forEach((h) => {
    const first = h.firstChild;
    if (!first || first.nodeType !== Node.TEXT_NODE) return;
    if (first.textContent.trim() === 'Query parameters') { first.textContent = words.ui.parameters; return; }
    const m = first.textContent.match(/^\s*Custom SQL query(?: returning (more than )?([\d,]+) rows?)?/);
    if (m) first.textContent = words.ui.result + (m[2] ? ': ' + (m[1] ? '> ' : '') + m[2] + ' ' + words.ui.rows + ' ' : ' ');
  });
  const exp = document.querySelector('p.export-links');
  if (exp && exp.firstChild && exp.firstChild.nodeType === Node.TEXT_NODE) exp.firstChild.textContent = words.ui.export + ' ';
}
