// The 모델 page: while a retrain runs, ask for its progress every two seconds.
(function () {
  "use strict";
  var section = document.getElementById("retrain");
  if (!section || section.dataset.running !== "1") return;
  var status = document.getElementById("retrain-status");
  var bar = document.getElementById("retrain-progress");
  var log = document.getElementById("retrain-log");

  function show(run) {
    status.textContent = "#" + run.id + " " + run.status_label + " · " + run.stage_label +
      " · " + Math.round(run.progress * 100) + "%";
    bar.value = run.progress;
    log.textContent = run.log;
  }

  function poll() {
    fetch(section.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.run) return;
        show(data.run);
        if (data.run.status === "running") {
          setTimeout(poll, 2000);
        } else {
          window.location.reload();  // the version list changed
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
