// Vendor autocomplete: a suggestion button fills the visible name and the hidden vendor id.
document.addEventListener("click", function (event) {
  var choice = event.target.closest("[data-vendor-choice]");
  if (!choice) return;
  event.preventDefault();
  var box = choice.closest("[data-autocomplete]");
  box.querySelector("[data-autocomplete-text]").value = choice.dataset.vendorName;
  var hidden = box.querySelector("[data-autocomplete-id]");
  if (hidden) hidden.value = choice.dataset.vendorId;
  box.querySelector("[data-autocomplete-list]").innerHTML = "";
  var form = box.closest("form");
  if (form && form.hasAttribute("data-autosubmit")) form.requestSubmit();
});
// Typing again forgets a vendor picked earlier.
document.addEventListener("input", function (event) {
  if (!event.target.matches("[data-autocomplete-text]")) return;
  var hidden = event.target.closest("[data-autocomplete]").querySelector("[data-autocomplete-id]");
  if (hidden) hidden.value = "";
});
// A form that destroys something (a draft, a feed address) asks first: its data-confirm is the
// question. Registered before the busy-button handler, which leaves a cancelled submit alone.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.hasAttribute("data-confirm") && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// A form that starts long work (an import, a withdrawal): once sent, its button says so and
// cannot be pressed again while the server works (without a worker, the import runs in the
// request itself).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-busy") || event.defaultPrevented) return;
  var button = form.querySelector("button[type=submit]");
  if (!button) return;
  // After the browser has taken the form's data: a disabled button is not sent.
  setTimeout(function () {
    button.disabled = true;
    button.textContent = form.dataset.busy;
  }, 0);
});
