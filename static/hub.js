// Vendor autocomplete, an ARIA combobox: suggestions come by htmx into a listbox; arrow keys
// move through them, Enter takes one, Escape closes the list; a status line says how many.
function autocompleteClose(box) {
  box.querySelector("[data-autocomplete-list]").innerHTML = "";
  var input = box.querySelector("[data-autocomplete-text]");
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
}
function autocompleteChoose(choice) {
  var box = choice.closest("[data-autocomplete]");
  var input = box.querySelector("[data-autocomplete-text]");
  input.value = choice.dataset.vendorName;
  var hidden = box.querySelector("[data-autocomplete-id]");
  if (hidden) hidden.value = choice.dataset.vendorId;
  autocompleteClose(box);
  box.querySelector("[data-autocomplete-status]").textContent = choice.dataset.vendorName + " chosen";
  input.focus();
  var form = box.closest("form");
  if (form && form.hasAttribute("data-autosubmit")) form.requestSubmit();
}
document.addEventListener("click", function (event) {
  var choice = event.target.closest("[data-vendor-choice]");
  if (!choice) return;
  event.preventDefault();
  autocompleteChoose(choice);
});
document.addEventListener("keydown", function (event) {
  if (!event.target.matches("[data-autocomplete-text]")) return;
  var box = event.target.closest("[data-autocomplete]");
  var options = Array.prototype.slice.call(box.querySelectorAll("[data-vendor-choice]"));
  var active = box.querySelector("[data-vendor-choice].active");
  var index = options.indexOf(active);
  if (event.key === "Escape" && box.querySelector("[data-autocomplete-list]").children.length) {
    event.preventDefault();
    autocompleteClose(box);
    box.querySelector("[data-autocomplete-status]").textContent = "";
  } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && options.length) {
    event.preventDefault();
    var next = event.key === "ArrowDown" ? index + 1 : index - 1;
    next = (next + options.length) % options.length;
    if (active) { active.classList.remove("active"); active.setAttribute("aria-selected", "false"); }
    options[next].classList.add("active");
    options[next].setAttribute("aria-selected", "true");
    options[next].scrollIntoView({ block: "nearest" });
    event.target.setAttribute("aria-activedescendant", options[next].id);
  } else if (event.key === "Enter" && active) {
    event.preventDefault();
    autocompleteChoose(active);
  }
});
document.addEventListener("htmx:afterSwap", function (event) {
  var list = event.detail.target;
  if (!list || !list.matches || !list.matches("[data-autocomplete-list]")) return;
  var box = list.closest("[data-autocomplete]");
  var count = list.querySelectorAll("[data-vendor-choice]").length;
  var input = box.querySelector("[data-autocomplete-text]");
  input.setAttribute("aria-expanded", count ? "true" : "false");
  input.removeAttribute("aria-activedescendant");
  var status = box.querySelector("[data-autocomplete-status]");
  if (count) status.textContent = count + (count === 1 ? " vendor" : " vendors") + " found: arrow keys to choose";
  else status.textContent = list.querySelector("[data-no-match]") ? "No vendor matches" : "";
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
// Lists refreshed by htmx (the contract index, vendors, projects): the new count is announced
// through a status line outside the swapped region, not the whole table read out again.
document.addEventListener("htmx:afterSwap", function (event) {
  if (!event.detail.target || event.detail.target.id !== "results") return;
  var status = document.querySelector("[data-results-status]");
  var count = document.getElementById("result-count");
  if (status && count) status.textContent = count.textContent.replace(/\s+/g, " ").trim();
});
