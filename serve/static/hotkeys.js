// Keyboard shortcuts on the item page: a/s/f/r pick the action, Enter decides (not while typing).
document.addEventListener("keydown", function (event) {
  var target = event.target;
  if (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" && target.type === "text" || target.tagName === "SELECT")) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  var radio = document.querySelector('input[data-hotkey="' + event.key + '"]');
  if (radio) { radio.checked = true; radio.focus(); event.preventDefault(); return; }
  if (event.key === "Enter") { var form = document.getElementById("decide-form"); if (form) { event.preventDefault(); form.requestSubmit(); } }
});
