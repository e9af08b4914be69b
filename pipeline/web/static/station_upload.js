// Upload page: choose or drop files, send them as one batch (CSRF header), then poll the batch every
// half second and redraw each file's state until every file is done.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var input = document.getElementById("files");
  var zone = document.getElementById("dropzone");
  var startButton = document.getElementById("start");
  var selection = document.getElementById("selection");
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var maxFiles = parseInt(form.dataset.maxFiles, 10);
  var chosen = [];
  var POLL_MS = 500;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return key in values ? values[key] : ""; });
  }

  function choose(files) {
    chosen = Array.prototype.slice.call(files);
    if (chosen.length > maxFiles) {
      selection.textContent = form.dataset.msgTooMany;
      startButton.disabled = true;
      return;
    }
    selection.textContent = chosen.length ? fill(form.dataset.msgSelected, { count: chosen.length }) + ": " +
      chosen.map(function (f) { return f.name; }).join(", ") : form.dataset.msgNone;
    startButton.disabled = chosen.length === 0;
  }

  input.addEventListener("change", function () { choose(input.files); });
  zone.addEventListener("click", function (event) { if (event.target !== input) input.click(); });
  zone.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (event) { choose(event.dataTransfer.files); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!chosen.length) { selection.textContent = form.dataset.msgNone; return; }
    var body = new FormData();
    chosen.forEach(function (file) { body.append("files", file, file.name); });
    var station = document.getElementById("station");
    if (station) body.append("station", station.value);
    startButton.disabled = true;
    selection.textContent = fill(form.dataset.msgSending, { count: chosen.length });
    fetch("/api/batches", { method: "POST", body: body, headers: { "X-CSRF-Token": csrf },
                            credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.message || data.error || response.status);
          return data;
        });
      })
      .then(function (batch) {
        history.replaceState(null, "", batch.page);  // a reload shows this batch again
        chosen = [];
        input.value = "";
        selection.textContent = "";
        draw(batch);
        poll(batch.url);
      })
      .catch(function (error) {
        selection.textContent = fill(form.dataset.msgFailed, { error: error.message });
        startButton.disabled = false;
      });
  });

  function poll(url) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (batch) {
        draw(batch);
        if (!batch.finished) setTimeout(function () { poll(url); }, POLL_MS);
      })
      .catch(function () { setTimeout(function () { poll(url); }, POLL_MS * 4); });
  }

  var BADGES = { queued: "badge-info", ocr: "badge-info", extracted: "badge-info", indexed: "badge-ok",
                 needs_review: "badge-warn", quarantined: "badge-error", failed: "badge-error" };

  // What the finished batch came to, in the order an operator acts on it.
  var SUMMARY = [["indexed", "msgSumIndexed"], ["needs_review", "msgSumNeedsReview"],
                 ["quarantined", "msgSumQuarantined"], ["failed", "msgSumFailed"]];

  function summarize(batch) {
    if (!batch.finished) return fill(form.dataset.msgDone, { done: batch.done, total: batch.total });
    var parts = SUMMARY.filter(function (pair) { return batch.counts[pair[0]]; }).map(function (pair) {
      return fill(form.dataset[pair[1]], { count: batch.counts[pair[0]] });
    });
    return fill(form.dataset.msgFinished, { total: batch.total }) + " " + parts.join(" · ");
  }

  function draw(batch) {
    document.getElementById("progress").hidden = false;
    document.getElementById("progress-title").textContent =
      fill(form.dataset.msgBatch, { time: batch.created_label });
    document.getElementById("progress-batch-id").textContent = fill(form.dataset.msgBatchId, { batch: batch.batch_id });
    document.getElementById("progress-summary").textContent = summarize(batch);
    var next = document.getElementById("progress-next");
    next.hidden = !batch.finished;
    document.getElementById("review-now").hidden = !(batch.counts.needs_review > 0);
    document.getElementById("progress-bar").style.width = (batch.total ? 100 * batch.done / batch.total : 0) + "%";
    var rows = document.getElementById("progress-rows");
    var opened = {};  // keep a disclosure the operator opened across redraws
    rows.querySelectorAll("details[open]").forEach(function (d) { opened[d.dataset.file] = true; });
    rows.textContent = "";
    batch.files.forEach(function (file) {
      var tr = document.createElement("tr");
      tr.dataset.state = file.state;
      var name = document.createElement("td");
      name.textContent = file.name;
      var state = document.createElement("td");
      var badge = document.createElement("span");
      badge.className = "badge " + (BADGES[file.state] || "badge-info");
      badge.textContent = file.state_label;
      state.appendChild(badge);
      var detail = document.createElement("td");
      if (file.state === "quarantined" || file.state === "failed") {
        detail.textContent = file.reason_label || "";
        if (file.message) {
          // The pipeline's own explanation is technical English: kept for support, folded away.
          var more = document.createElement("details");
          more.className = "reason";
          more.dataset.file = file.name;
          more.open = !!opened[file.name];
          var summary = document.createElement("summary");
          summary.textContent = form.dataset.msgTechnical;
          var text = document.createElement("span");
          text.lang = "en";
          text.textContent = file.message;
          more.appendChild(summary);
          more.appendChild(text);
          detail.appendChild(more);
        }
      } else if (file.doc_title) {
        detail.textContent = file.doc_title + (file.duplicate ? " · " + form.dataset.msgDuplicate : "");
        if (file.state === "needs_review" && file.record_id) {
          detail.appendChild(document.createTextNode(" "));
          var link = document.createElement("a");
          link.href = "/review/" + file.record_id;
          link.textContent = form.dataset.msgReview;
          detail.appendChild(link);
        }
      }
      tr.appendChild(name);
      tr.appendChild(state);
      tr.appendChild(detail);
      rows.appendChild(tr);
    });
  }

  if (form.dataset.batch) poll("/api/batches/" + encodeURIComponent(form.dataset.batch));
})();
