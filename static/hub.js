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
