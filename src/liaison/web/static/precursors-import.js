// Upload progress of the customs-extract import (htmx fires htmx:xhr:progress).
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("import-progress");
  if (!bar || !event.detail.lengthComputable) return;
  bar.hidden = false;
  bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  var text = document.getElementById("import-progress-text");
  if (text && bar.value >= 100) text.textContent = "Uploaded; validating every row…";
});
