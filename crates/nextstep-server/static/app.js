// nextstep's one script: the call drop zone with upload polling, the CSV import with a
// progress bar, the copy-link button and the uploads page's self-refresh.
// Everything it writes into the page goes through textContent, never innerHTML, so file
// names and server messages stay text.
(function () {
  'use strict';

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') || '' : '';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function errorMessage(body, fallback) {
    if (body && body.error && body.error.message) return body.error.message;
    return fallback;
  }

  function readJson(response) {
    return response.text().then(function (text) {
      var body = null;
      try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
      return { ok: response.ok, status: response.status, body: body };
    });
  }

  // ---------------------------------------------------------------- drop zone + polling

  var STATES = ['sending', 'queued', 'running', 'done', 'failed'];

  function setState(item, state, text) {
    STATES.forEach(function (s) { item.classList.remove('upload-' + s); });
    item.classList.add('upload-' + state);
    item.setAttribute('data-status', state);
    item.querySelector('.upload-state').textContent = text || state;
  }

  function fail(item, message) {
    setState(item, 'failed', 'failed');
    var err = el('span', 'upload-error', message);
    item.appendChild(err);
  }

  function poll(item, uploadId, round) {
    var delay = round < 20 ? 500 : 2000;
    window.setTimeout(function () {
      fetch('/api/v1/uploads/' + encodeURIComponent(uploadId), {
        credentials: 'same-origin',
        headers: { 'Accept': 'application/json' }
      }).then(readJson).then(function (res) {
        if (!res.ok) {
          fail(item, errorMessage(res.body, 'could not read the upload\'s status (' + res.status + ')'));
          return;
        }
        var status = res.body && res.body.status;
        if (status === 'done') {
          setState(item, 'done', 'done');
          if (res.body.call_id !== null && res.body.call_id !== undefined) {
            var link = el('a', 'upload-call-link', 'Open the call');
            link.href = '/calls/' + encodeURIComponent(res.body.call_id);
            item.appendChild(link);
          }
        } else if (status === 'failed') {
          fail(item, res.body.error || 'the analysis failed');
        } else {
          setState(item, status === 'running' ? 'running' : 'queued');
          poll(item, uploadId, round + 1);
        }
      }).catch(function () {
        poll(item, uploadId, round + 1);
      });
    }, delay);
  }

  // One key per file: a retry after a lost answer (network error, server restart)
  // carries the same key, so the server answers the first upload instead of storing a
  // second call.
  function idempotencyKey() {
    if (window.crypto && window.crypto.randomUUID) return 'upload-' + window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return 'upload-' + Array.prototype.map.call(bytes, function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  var UPLOAD_TRIES = 4;

  function upload(zone, list, file) {
    var item = el('li', 'upload-item');
    item.appendChild(el('span', 'upload-name', file.name));
    item.appendChild(document.createTextNode(' '));
    item.appendChild(el('span', 'upload-state'));
    item.appendChild(document.createTextNode(' '));
    setState(item, 'sending', 'sending…');
    list.insertBefore(item, list.firstChild);
    var dealId = zone.getAttribute('data-deal-id');
    var url = '/api/v1/deals/' + encodeURIComponent(dealId) + '/calls?file_name=' +
      encodeURIComponent(file.name);
    var sellersInput = document.getElementById('upload-sellers');
    var sellers = sellersInput ? sellersInput.value.trim() : '';
    if (sellers) url += '&sellers=' + encodeURIComponent(sellers);
    var key = idempotencyKey();
    var send = function (attempt) {
      fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'X-CSRF-Token': csrf,
          'Idempotency-Key': key,
          'Content-Type': file.type || 'application/octet-stream',
          'Accept': 'application/json'
        },
        body: file
      }).then(readJson).then(function (res) {
        if (res.status >= 500 && attempt < UPLOAD_TRIES) {
          retry(attempt);
          return;
        }
        if (!res.ok || !res.body) {
          fail(item, errorMessage(res.body, 'the upload was refused (' + res.status + ')'));
          return;
        }
        item.setAttribute('data-upload-id', res.body.upload_id);
        setState(item, res.body.status === 'running' ? 'running' : 'queued');
        poll(item, res.body.upload_id, 0);
      }).catch(function (e) {
        if (attempt < UPLOAD_TRIES) {
          retry(attempt);
        } else {
          fail(item, 'the upload failed: ' + e);
        }
      });
    };
    var retry = function (attempt) {
      setState(item, 'sending', 'retrying…');
      window.setTimeout(function () { send(attempt + 1); }, 1000 * attempt);
    };
    send(1);
  }

  function setUpDropzone() {
    var zone = document.getElementById('dropzone');
    if (!zone) return;
    var input = document.getElementById('upload-input');
    var list = document.getElementById('upload-status');
    var send = function (files) {
      for (var i = 0; i < files.length; i++) upload(zone, list, files[i]);
    };
    ['dragenter', 'dragover'].forEach(function (name) {
      zone.addEventListener(name, function (e) {
        e.preventDefault();
        zone.classList.add('dragging');
      });
    });
    ['dragleave', 'dragend', 'drop'].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove('dragging'); });
    });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files) send(e.dataTransfer.files);
    });
    zone.addEventListener('keydown', function (e) {
      if ((e.key === 'Enter' || e.key === ' ') && input) {
        e.preventDefault();
        input.click();
      }
    });
    if (input) {
      input.addEventListener('change', function () {
        send(input.files);
        input.value = '';
      });
    }
  }

  // ---------------------------------------------------------------- CSV import

  function showImportResult(box, body) {
    box.textContent = '';
    box.hidden = false;
    box.className = 'import-result alert alert-ok';
    box.appendChild(el('h2', null, 'Imported'));
    var dl = el('dl', 'facts');
    [['Format', body.preset, 'import-preset'],
      ['New deals', body.imported, 'import-imported'],
      ['Updated', body.updated, 'import-updated'],
      ['Unchanged', body.unchanged, 'import-unchanged'],
      ['Rejected rows', (body.rejected || []).length, 'import-rejected-count']
    ].forEach(function (row) {
      var div = el('div');
      div.appendChild(el('dt', null, row[0]));
      var dd = el('dd', null, row[1]);
      dd.id = row[2];
      div.appendChild(dd);
      dl.appendChild(div);
    });
    box.appendChild(dl);
    if (body.rejected && body.rejected.length) {
      var ul = el('ul', 'rejected');
      ul.id = 'import-rejected';
      body.rejected.forEach(function (r) { ul.appendChild(el('li', null, r)); });
      box.appendChild(ul);
    }
  }

  function setUpImport() {
    var form = document.getElementById('import-form');
    if (!form) return;
    var fileInput = document.getElementById('import-file');
    var progress = document.getElementById('import-progress');
    var progressText = document.getElementById('import-progress-text');
    var result = document.getElementById('import-result');
    var button = document.getElementById('import-submit');
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var file = fileInput.files && fileInput.files[0];
      if (!file) return;
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/v1/import/deals');
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.setRequestHeader('Content-Type', 'text/csv');
      xhr.setRequestHeader('Accept', 'application/json');
      progress.hidden = false;
      progress.value = 0;
      result.hidden = true;
      button.disabled = true;
      progressText.textContent = 'Uploading…';
      xhr.upload.addEventListener('progress', function (ev) {
        if (ev.lengthComputable && ev.total > 0) {
          var pct = Math.round((ev.loaded / ev.total) * 100);
          progress.value = pct;
          progressText.textContent = 'Uploading… ' + pct + '%';
        }
      });
      xhr.upload.addEventListener('load', function () {
        progress.value = 100;
        progressText.textContent = 'Importing…';
      });
      xhr.addEventListener('load', function () {
        button.disabled = false;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body) {
          progressText.textContent = 'Done.';
          showImportResult(result, body);
        } else {
          progressText.textContent = '';
          result.hidden = false;
          result.className = 'import-result alert alert-error';
          result.textContent = errorMessage(body, 'The import failed (' + xhr.status + ').');
        }
      });
      xhr.addEventListener('error', function () {
        button.disabled = false;
        progressText.textContent = '';
        result.hidden = false;
        result.className = 'import-result alert alert-error';
        result.textContent = 'The import failed: the server could not be reached.';
      });
      xhr.send(file);
    });
  }

  // ---------------------------------------------------------------- copy link

  function setUpCopy() {
    var buttons = document.querySelectorAll('[data-copy-target]');
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener('click', function () {
        var target = document.getElementById(button.getAttribute('data-copy-target'));
        if (!target) return;
        var done = function () { button.textContent = 'Copied'; };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(target.value).then(done, function () {
            target.select();
          });
        } else {
          target.select();
          try { document.execCommand('copy'); done(); } catch (e) { /* selected for a manual copy */ }
        }
      });
    });
  }

  // ---------------------------------------------------------------- uploads page

  function setUpRefresh() {
    var table = document.getElementById('uploads-table');
    if (table && table.getAttribute('data-pending') === 'true') {
      window.setTimeout(function () { window.location.reload(); }, 3000);
    }
  }

  function start() {
    setUpDropzone();
    setUpImport();
    setUpCopy();
    setUpRefresh();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
