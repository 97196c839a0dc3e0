// Keyboard shortcuts on the item page. They act only when focus is not on a link, button or field
// (the decision form's radios and tick boxes excepted: letters do nothing there), and Enter decides
// only from inside the decision form, so Enter on "Back to the queue" or "Sign out" does what it says.
(function () {
  var form = document.getElementById("decide-form");
  var live = document.getElementById("live");
  var heading = document.getElementById("item-heading");
  if (heading) heading.focus();

  function say(text) { if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); } }

  function inDecisionChoice(el) {
    return form && form.contains(el) && el.tagName === "INPUT" && (el.type === "radio" || el.type === "checkbox");
  }

  function typingOrActing(el) {
    if (!el || el === document.body || el === heading) return false;
    if (inDecisionChoice(el)) return false;
    return /^(A|BUTTON|INPUT|SELECT|TEXTAREA|SUMMARY)$/.test(el.tagName) || el.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    var el = event.target;
    if (event.key === "Enter") {
      if (inDecisionChoice(el)) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (typingOrActing(el)) return;
    var radio = form && form.querySelector('input[data-hotkey="' + event.key + '"]');
    if (radio) {
      radio.checked = true; radio.focus(); event.preventDefault();
      say("Action: " + radio.value + ". Press Enter to decide.");
      return;
    }
    var next = document.querySelector('[data-hotkey-link="' + event.key + '"]');
    if (next) { event.preventDefault(); window.location.assign(next.getAttribute("href")); return; }
    var scope = form && form.querySelector('select[data-hotkey-scope="' + event.key + '"]');
    if (scope) {
      scope.value = scope.getAttribute("data-hotkey-value"); event.preventDefault();
      scope.dispatchEvent(new Event("change"));
      say("Applies to " + scope.options[scope.selectedIndex].text);
    }
  });
})();
