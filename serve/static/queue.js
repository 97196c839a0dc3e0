// The queue's bulk bar: says how many rows are ticked and names them in the preview button.
(function () {
  var boxes = document.querySelectorAll("input.row-select");
  var count = document.getElementById("bulk-count");
  var button = document.getElementById("bulk-preview");
  function update() {
    var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    if (count) count.textContent = ticked + " selected";
    if (button) button.textContent = "Preview " + ticked + " item" + (ticked === 1 ? "" : "s");
  }
  Array.prototype.forEach.call(boxes, function (b) { b.addEventListener("change", update); });
  update();
})();
