// The reply on the item page: "Copy this reply" puts the (edited) reply on the clipboard, to paste on
// the platform; a saved reply fills the box in place (without scripts the page reloads with it);
// "Save this reply" sends the box's text with the name (it needs scripts: /replies works without).
(function () {
  var reply = document.getElementById("reply");
  var status = document.getElementById("copy-status");
  if (!reply) return;
  function say(text) { if (status) status.textContent = text; }

  var button = document.getElementById("copy-reply");
  if (button && navigator.clipboard) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(reply.value).then(
        function () { say("Copied."); },
        function () { say("Could not copy: select the text and copy it."); }
      );
    });
  }

  var use = document.getElementById("use-saved-form");
  var picker = document.getElementById("saved-reply");
  if (use && picker) {
    use.addEventListener("submit", function (event) {
      event.preventDefault();
      var option = picker.options[picker.selectedIndex];
      reply.value = option.getAttribute("data-text");
      reply.focus();
      say("The reply is now the saved reply " + option.text + ".");
    });
  }

  var save = document.getElementById("save-reply-form");
  var details = document.getElementById("save-reply-details");
  if (save && details) {
    details.hidden = false;
    save.addEventListener("submit", function () {
      document.getElementById("save-reply-text").value = reply.value;
    });
  }
})();
