"""CSS and the small script for the chat page (citation markers scroll to their source card)."""

CSS = """
#nd-header h1 { margin-bottom: 0; }
#nd-header p { margin-top: 4px; color: var(--body-text-color-subdued); }
.nd-refusal { border-left: 4px solid #b7791f; background: #fffaf0; color: #5f370e; padding: 8px 12px;
  border-radius: 6px; }
.dark .nd-refusal { background: #3b2a12; color: #fbd38d; }
.nd-error { border-left: 4px solid #c53030; padding: 8px 12px; }
.nd-unsupported { text-decoration: underline wavy #c53030; text-underline-offset: 3px;
  background: rgba(229, 62, 62, 0.08); }
.nd-unsupported-flag { color: #c53030; font-size: 0.75em; margin-left: 2px; }
.nd-unsupported-note { color: #c53030; font-size: 0.85em; }
a.nd-cite, a[href^="#nd-src-"] { font-size: 0.8em; font-weight: 600; text-decoration: none;
  vertical-align: super; margin-left: 1px; }
#nd-sources { max-height: 640px; overflow-y: auto; }
.nd-sources h3 { margin: 0 0 8px 0; }
.nd-turn-question { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 4px 0 8px 0; }
.nd-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--block-background-fill); scroll-margin-top: 12px; }
.nd-source-title { font-weight: 600; }
.nd-source-n { color: var(--color-accent); margin-right: 4px; }
.nd-source-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 6px 0; }
.nd-quote-dates { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 4px 0 0 0; }
.nd-excerpt { margin: 0; padding: 6px 10px; border-left: 3px solid var(--border-color-primary);
  font-size: 0.9em; line-height: 1.5; white-space: pre-line; }
.nd-excerpt mark { background: #fde68a; color: inherit; padding: 0 2px; border-radius: 2px; }
.dark .nd-excerpt mark { background: #854d0e; }
.nd-empty { color: var(--body-text-color-subdued); }
.nd-superseded { font-size: 0.75em; font-weight: 600; color: #b7791f; border: 1px solid #b7791f;
  border-radius: 4px; padding: 0 4px; margin-left: 6px; text-decoration: none; white-space: nowrap; }
.nd-also-reported { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 6px 0; }
.nd-status { color: var(--body-text-color-subdued); font-style: italic; }
.nd-pending .nd-source { opacity: 0.8; }
.nd-retrieved-note { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 0 0 8px 0; }
.nd-older summary { cursor: pointer; color: var(--body-text-color-subdued); margin: 6px 0; }
.nd-flash { animation: nd-flash 1.2s ease-out; }
@keyframes nd-flash { from { box-shadow: 0 0 0 3px var(--color-accent); } to { box-shadow: none; } }
"""

HEAD = """
<script>
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest('a[href^="#nd-src-"]') : null;
  if (!link) return;
  var card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  event.preventDefault();
  event.stopPropagation();
  var folded = card.closest("details");
  if (folded) folded.open = true;
  card.scrollIntoView({behavior: "smooth", block: "center"});
  card.classList.remove("nd-flash");
  void card.offsetWidth;
  card.classList.add("nd-flash");
}, true);
</script>
"""
