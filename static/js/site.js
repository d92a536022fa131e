// fansite: small progressive enhancements. Every feature works without this file.
(function () {
  "use strict";

  // Inline spoilers are checkboxes, which toggle with Space. Readers expect
  // Enter to work too, as it does on a button.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.classList && target.classList.contains("spoiler__toggle")) {
      event.preventDefault();
      target.click();
    }
  });
})();
