/* UniBridge page behaviour. Everything here is progressive: each page works without it.
   The Content-Security-Policy allows scripts from our own static files only, so pages carry
   data- attributes and this file attaches the behaviour (again after every HTMX swap). */
(function () {
  "use strict";

  // The viewer's time zone for the server (core.middleware); pages use it from the next one.
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
    document.cookie = "tz=" + encodeURIComponent(zone) + ";path=/;max-age=31536000;SameSite=Lax";
  }

  // The filters of the address bar (HTMX filtering, sorting and paging push them there).
  function currentQuery(drop) {
    var params = new URLSearchParams(location.search);
    (drop || []).forEach(function (name) { params.delete(name); });
    return params;
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit")) form.submit();
  });

  document.addEventListener("click", function (event) {
    // Export links take the filters shown now, not those the page was loaded with.
    var link = event.target.closest("a[data-export]");
    if (link) {
      var params = currentQuery(["page"]);
      params.set("export", link.dataset.export);
      link.search = params.toString();
      return;
    }
    // The minutes toolbar wraps the selected text in a tag (the server cleans the HTML).
    var button = event.target.closest("[data-wrap-open]");
    if (button) {
      var area = document.getElementById(button.closest("[data-wrap-target]").dataset.wrapTarget);
      var start = area.selectionStart, end = area.selectionEnd, text = area.value;
      var chosen = text.slice(start, end);
      area.value = text.slice(0, start) + button.dataset.wrapOpen + chosen +
        button.dataset.wrapClose + text.slice(end);
      area.focus();
      area.selectionStart = start + button.dataset.wrapOpen.length;
      area.selectionEnd = area.selectionStart + chosen.length;
    }
  });

  // Enter in a picker's search box searches; it does not submit the form around it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.hasAttribute &&
        event.target.hasAttribute("data-no-submit")) event.preventDefault();
  });

  document.addEventListener("submit", function (event) {
    // Saving a filter stores the filters shown now.
    var form = event.target;
    if (form.hasAttribute("data-saved-filter")) {
      form.elements.query.value = currentQuery(["page", "export"]).toString();
    }
  });

  // Long choices become searchable (Tom Select): selects marked data-searchable, and any
  // single select with more than twenty options. Options carrying data-depth (a unit tree)
  // are indented by their depth.
  var LONG = 20;
  function searchable(root) {
    if (typeof TomSelect === "undefined") return;
    root.querySelectorAll("select").forEach(function (select) {
      if (select.tomselect || select.hasAttribute("data-plain")) return;
      var wanted = select.hasAttribute("data-searchable") ||
        (!select.multiple && select.options.length > LONG);
      if (!wanted) return;
      var tree = select.querySelector("option[data-depth]") !== null;
      var settings = {
        maxOptions: null,
        allowEmptyOption: true,
        plugins: select.multiple ? ["remove_button"] : [],
        render: {
          no_results: function () {
            return '<div class="no-results">' + (select.dataset.noResults || "—") + "</div>";
          }
        }
      };
      if (tree) {
        // the labels' leading dashes show the tree without JavaScript; here the indent does
        var plain = function (text) { return text.replace(/^(\u2014 )+/, ""); };
        settings.render.option = function (data, escape) {
          var depth = Number(data.$option ? data.$option.dataset.depth || 0 : 0);
          return '<div class="ts-depth-' + Math.min(depth, 8) + '">' + escape(plain(data.text)) + "</div>";
        };
        settings.render.item = function (data, escape) {
          return "<div>" + escape(plain(data.text)) + "</div>";
        };
      }
      // Tom Select moves the label onto its own box; the hidden original keeps its name.
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      if (select.dataset.optionsUrl) {
        // thousands of records: the options come from the server as one types
        var url = select.dataset.optionsUrl;
        settings.valueField = "value";
        settings.labelField = "text";
        settings.searchField = ["text"];
        settings.shouldLoad = function (query) { return query.length >= 2; };
        settings.load = function (query, callback) {
          var sep = url.indexOf("?") === -1 ? "?" : "&";
          fetch(url + sep + "format=json&q=" + encodeURIComponent(query), { credentials: "same-origin" })
            .then(function (response) { return response.json(); })
            .then(function (data) { callback(data.results); })
            .catch(function () { callback(); });
        };
      }
      if (label && !select.hasAttribute("aria-label")) {
        select.setAttribute("aria-label", label.textContent.trim());
      }
      new TomSelect(select, settings);
    });
  }

  // A toolbar kept in a <template data-toolbar-for="ID"> goes above its text area, so pages
  // without JavaScript show no buttons that would do nothing.
  function toolbars(root) {
    root.querySelectorAll("template[data-toolbar-for]").forEach(function (template) {
      var area = document.getElementById(template.dataset.toolbarFor);
      if (!area || area.dataset.toolbar) return;
      area.dataset.toolbar = "1";
      area.parentNode.insertBefore(template.content.firstElementChild.cloneNode(true), area);
    });
  }

  /* --- Tables: column chooser, row selection and bulk actions (core/partials/record_table.html,
     core/partials/column_chooser.html). Without JavaScript the chooser is a GET form with an
     Apply button and every bulk value field shows; here a tick applies at once. --- */
  document.addEventListener("change", function (event) {
    var target = event.target;
    var chooser = target.closest && target.closest("form[data-column-chooser]");
    if (chooser && typeof htmx !== "undefined") {
      var params = currentQuery(["page", "columns", "choose_columns"]);
      params.set("choose_columns", "1");
      chooser.querySelectorAll("input[name=columns]:checked").forEach(function (box) {
        params.append("columns", box.value);
      });
      htmx.ajax("GET", location.pathname + "?" + params.toString(), {target: "#results"});
      return;
    }
    var form = target.closest && target.closest("form[data-bulk-form]");
    if (!form) return;
    if (target.hasAttribute("data-bulk-all")) {
      form.querySelectorAll("input[data-bulk-row]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.name === "action") bulkValues(form);
    bulkCount(form);
  });

  // Only the value field of the chosen bulk action shows (the new status, the person).
  function bulkValues(form) {
    var chosen = form.elements.action ? form.elements.action.value : "";
    form.querySelectorAll("[data-bulk-value]").forEach(function (box) {
      box.hidden = box.dataset.bulkValue !== chosen;
    });
  }

  function bulkCount(form) {
    var rows = form.querySelectorAll("input[data-bulk-row]");
    var ticked = form.querySelectorAll("input[data-bulk-row]:checked").length;
    var all = form.querySelector("input[data-bulk-all]");
    if (all) {
      all.checked = rows.length > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
    var count = form.querySelector("[data-bulk-count]");
    if (count) {
      count.hidden = ticked === 0;
      count.textContent = (form.dataset.selectedText || "%(count)s").replace("%(count)s", ticked);
    }
  }

  function tables(root) {
    root.querySelectorAll("[data-js-hide]").forEach(function (node) { node.hidden = true; });
    root.querySelectorAll("input[data-bulk-all]").forEach(function (box) { box.hidden = false; });
    root.querySelectorAll("form[data-bulk-form]").forEach(function (form) {
      bulkValues(form);
      bulkCount(form);
    });
  }

  document.addEventListener("submit", function (event) {
    // A bulk action keeps the filters and sort shown now (HTMX pushed them to the address).
    var form = event.target;
    if (form.hasAttribute("data-bulk-form")) {
      form.action = location.pathname + "?" + currentQuery(["page"]).toString();
    }
  });
  /* --- end of tables --- */

  function attach(root) { searchable(root); toolbars(root); tables(root); }
  document.addEventListener("DOMContentLoaded", function () { attach(document); });
  document.addEventListener("htmx:afterSwap", function (event) { attach(event.target); });
})();
