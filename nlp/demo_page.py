"""What the review page does in the browser: shortcuts, confirmations, unsaved-edit warnings, styles.

Kept as data (JavaScript and CSS strings) so nlp/demo.py reads as the layout and its events.
The server still decides: a risky approval without "confirmed" and a move that keeps unsaved
edits are refused there too; these scripts only ask the reviewer.
"""

KEYS = {"Enter": "review-approve", "ArrowDown": "review-next", "ArrowUp": "review-previous",
        "KeyR": "review-regenerate", "KeyT": "review-translate"}

LANGS = {"review-zh": "zh", "review-en": "en", "review-title-en": "en", "source-text": "zh",
         "abstract-zh": "zh", "abstract-en": "en", "title-en": "en"}

HEAD = """<script>
window.nlpDirty = false;
window.nlpAsk = () => window.nlpDirty
  ? (confirm("Discard your unsaved edits to this post?\\n放弃对这篇文章未保存的修改？") ? "discard" : "keep")
  : "clean";
document.addEventListener("keydown", (event) => {
  const keys = %(keys)s;
  const wanted = event.altKey || (event.ctrlKey && event.key === "Enter");
  const id = wanted && keys[event.key === "Enter" ? "Enter" : event.code];
  const button = id && document.getElementById(id);
  if (button) { event.preventDefault(); button.click(); }
});
document.addEventListener("input", (event) => {
  if (event.target.closest && event.target.closest("#review-editor")) window.nlpDirty = true;
});
window.addEventListener("beforeunload", (event) => {
  if (window.nlpDirty) { event.preventDefault(); event.returnValue = ""; }
});
new MutationObserver(() => {
  for (const [id, lang] of Object.entries(%(langs)s)) {
    const area = document.querySelector(`#${id} textarea`);
    if (area && area.lang !== lang) area.lang = lang;
  }
}).observe(document.documentElement, {childList: true, subtree: true});
</script>""" % {"keys": KEYS, "langs": LANGS}

CLEAN = "() => { window.nlpDirty = false; }"
REGENERATING = "(name) => `**${name}**: ⏳ regenerating… (nothing is saved until you approve) · 正在重新生成`"
TRANSLATING = "(name) => `⏳ translating the Chinese abstract of **${name}**… (your edit stays) · 正在翻译`"
DIRTY = "(...args) => { window.nlpDirty = true; return args; }"
# Next / Previous send (name, table, answer); a row click sends (answer)
GUARD_MOVE = "(name, table, answer) => [name, table, window.nlpAsk()]"
GUARD_PICK = "(answer) => window.nlpAsk()"
CONFIRM_APPROVE = """(name, version, zh, en, title, meta, risk) => [name, version, zh, en, title, meta,
  risk ? (confirm(`Approve ${name} although: ${risk}?\\n仍然通过？`) ? "confirmed" : "declined") : ""]"""
CONFIRM_OVERWRITE = """(name, version, zh, en, title, meta, answer) => [name, version, zh, en, title, meta,
  confirm(`Overwrite ${name}, replacing what was saved since you opened it?\\n覆盖文件？`)
    ? "confirmed" : "declined"]"""

CSS = """
#review-evidence .evidence { padding: 4px 8px; line-height: 1.7; max-height: 52vh; overflow-y: auto; }
#review-evidence h4 { margin: 6px 0 2px; font-size: 0.9em; }
#review-evidence p { margin: 0 0 6px; }
.evidence mark { border-radius: 3px; padding: 0 2px; color: inherit; }
.evidence mark.ev-number { background: #bfdbfe; }
.evidence mark.ev-date { background: #ddd6fe; }
.evidence mark.ev-term { background: #bbf7d0; }
.evidence mark.ev-unsupported { background: #fecaca; text-decoration: underline wavy #dc2626; }
.evidence mark:target { outline: 2px solid #f97316; }
.evidence .ev-warnings { margin: 0 0 4px; padding-left: 1.2em; color: #b45309; }
.evidence .ev-warnings a { color: #b45309; }
.evidence .ev-ok { color: #15803d; margin: 0; }
"""
