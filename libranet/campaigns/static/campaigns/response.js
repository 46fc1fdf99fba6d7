// A campaign's form: "Use this value" copies the figure Libranet knows into its field.
document.querySelectorAll("[data-use-known]").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.useKnown);
    if (input) { input.value = button.dataset.value; input.focus(); }
  });
});
