// "Copy the reply": one click puts the (edited) reply on the clipboard, to paste on the platform.
(function () {
  var button = document.getElementById("copy-reply");
  var status = document.getElementById("copy-status");
  if (!button || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = document.getElementById(button.getAttribute("data-copy")).value;
    navigator.clipboard.writeText(text).then(
      function () { status.textContent = "Copied."; },
      function () { status.textContent = "Could not copy: select the text and copy it."; }
    );
  });
})();
