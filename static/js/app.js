// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]")) el.form.submit();
});
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-check-all]");
  if (!toggle) return;
  const scope = document.querySelector(toggle.dataset.checkAll);
  if (scope) scope.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = toggle.checked; });
});
// The phone menu: one button shows and hides the navigation.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-toggle");
  if (!button) return;
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  menu.classList.toggle("open", open);
});
