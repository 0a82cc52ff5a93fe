// Small progressive enhancements; every page works without JavaScript.
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
