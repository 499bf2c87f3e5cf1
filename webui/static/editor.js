// The process editor: bpmn-js Modeler (UMD bundle from npm) with a plain side panel for our
// extensions, written against the modeler's modeling API. Validation and deploy run on the server.
(function () {
  "use strict";
  var SPIFF = {
    name: "SpiffWorkflow", prefix: "spiffworkflow", uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    xml: { tagAlias: "lowerCase" }, associations: [],
    types: [
      { name: "Properties", superClass: ["Element"], properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"], properties: [
        { name: "name", type: "String", isAttr: true }, { name: "value", type: "String", isAttr: true }] },
      { name: "ServiceTaskOperator", superClass: ["Element"], properties: [
        { name: "id", type: "String", isAttr: true }, { name: "resultVariable", type: "String", isAttr: true },
        { name: "parameterList", type: "Parameters" }] },
      { name: "Parameters", superClass: ["Element"], properties: [{ name: "parameters", type: "Parameter", isMany: true }] },
      { name: "Parameter", superClass: ["Element"], properties: [
        { name: "id", type: "String", isAttr: true }, { name: "type", type: "String", isAttr: true },
        { name: "value", type: "String", isAttr: true }] }
    ]
  };
  var DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
  var TIMER = /^("(R(10|[1-9])\/)?P(?!")[^"]*"|"\d{4}-\d\d-\d\dT[^"]+"|deadline\("[a-z_]+"\))$/;
  var source = JSON.parse(document.getElementById("ed-source").textContent);
  var fileName = source.file || Object.keys(source.files)[0];   // the edited process's own file
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var modeler = new BpmnJS({ container: "#ed-canvas", moddleExtensions: { spiffworkflow: SPIFF } });
  var modeling = modeler.get("modeling"), moddle = modeler.get("moddle"), overlays = modeler.get("overlays");
  var panel = document.getElementById("ed-panel"), status = document.getElementById("ed-status");
  var options = { handlers: {}, deadlines: [], forms: [] };
  var TEXT = JSON.parse(document.getElementById("ed-text").textContent);
  var forms = Object.assign({}, source.forms || {});   // form key → JSON text, deployed with the diagram

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function ext(bo, type) {
    var list = bo.extensionElements && bo.extensionElements.values || [];
    return list.filter(function (v) { return v.$type === type; })[0];
  }
  function props(bo) { var p = ext(bo, "spiffworkflow:Properties"); return p ? p.properties || [] : []; }
  function prop(bo, name) { var p = props(bo).filter(function (x) { return x.name === name; })[0]; return p ? p.value : ""; }

  function ensureExtensions(element) {
    var bo = element.businessObject;
    if (!bo.extensionElements) {
      modeling.updateProperties(element, { extensionElements: moddle.create("bpmn:ExtensionElements", { values: [] }) });
    }
    return bo.extensionElements;
  }
  function setProp(element, name, value) {
    var extensions = ensureExtensions(element), holder = ext(element.businessObject, "spiffworkflow:Properties");
    if (!holder) { holder = moddle.create("spiffworkflow:Properties", { properties: [] }); extensions.values.push(holder); }
    var rest = (holder.properties || []).filter(function (p) { return p.name !== name; });
    if (value) rest.push(moddle.create("spiffworkflow:Property", { name: name, value: value }));
    holder.properties = rest;
    modeling.updateProperties(element, { extensionElements: extensions });   // one undoable command
  }
  function setOperator(element, handler, params) {
    var extensions = ensureExtensions(element);
    extensions.values = extensions.values.filter(function (v) { return v.$type !== "spiffworkflow:ServiceTaskOperator"; });
    var list = Object.keys(params).map(function (k) {
      return moddle.create("spiffworkflow:Parameter", { id: k, type: "any", value: params[k] });
    });
    extensions.values.push(moddle.create("spiffworkflow:ServiceTaskOperator", {
      id: handler, parameterList: moddle.create("spiffworkflow:Parameters", { parameters: list }) }));
    modeling.updateProperties(element, { extensionElements: extensions });
  }

  function field(label, input, check) {
    var wrap = el("label", { "class": "field" }, label), hint = el("small", { "class": "hint", role: "alert" });
    wrap.appendChild(input); wrap.appendChild(hint); panel.appendChild(wrap);
    if (check) input.addEventListener("input", function () {
      var msg = check(input.value); hint.textContent = msg || ""; input.setAttribute("aria-invalid", msg ? "true" : "false");
    });
    return input;
  }
  function text(name, value) { return el("input", { name: name, value: value || "" }); }
  function select(name, values, current) {
    var s = el("select", { name: name }); s.appendChild(el("option", { value: "" }, "—"));
    values.forEach(function (v) {
      var o = el("option", { value: v[0] }, v[1]); if (v[0] === current) o.selected = true; s.appendChild(o);
    });
    return s;
  }
  function onChange(input, fn) { input.addEventListener("change", function () { fn(input.value.trim()); }); }

  function show(element) {
    panel.innerHTML = "";
    if (!element) { panel.appendChild(el("p", {}, TEXT.select)); return; }
    var bo = element.businessObject, type = bo.$type;
    panel.appendChild(el("h3", {}, (bo.name || bo.id) + " (" + type.replace("bpmn:", "") + ")"));
    onChange(field(TEXT.name, text("name", bo.name)), function (v) { modeling.updateLabel(element, v); });
    if (type === "bpmn:UserTask") userTask(element, bo);
    if (type === "bpmn:ServiceTask") serviceTask(element, bo);
    if (type === "bpmn:SequenceFlow") condition(element, bo);
    (bo.eventDefinitions || []).forEach(function (d) { if (d.$type === "bpmn:TimerEventDefinition") timer(element, d); });
  }
  function userTask(element, bo) {
    onChange(field(TEXT.groups + " candidateGroups", text("candidateGroups", prop(bo, "candidateGroups"))),
      function (v) { setProp(element, "candidateGroups", v); });
    var dl = options.deadlines.map(function (d) { return [d.name, d.name + " " + d.label]; });
    onChange(field(TEXT.deadline + " dueDeadline", select("dueDeadline", dl, prop(bo, "dueDeadline"))),
      function (v) { setProp(element, "dueDeadline", v); });
    var dueIn = field(TEXT.dueIn + " dueIn", text("dueIn", prop(bo, "dueIn")),
      function (v) { return v && !DURATION.test(v) ? TEXT.notDuration : ""; });
    onChange(dueIn, function (v) { if (!v || DURATION.test(v)) setProp(element, "dueIn", v); });
    var keys = options.forms.concat(Object.keys(forms)).filter(function (k, i, all) { return all.indexOf(k) === i; }).sort();
    onChange(field(TEXT.form + " formKey", select("formKey", keys.map(function (f) { return [f, f]; }), prop(bo, "formKey"))),
      function (v) { setProp(element, "formKey", v); });
    var edit = el("button", { type: "button", id: "ed-edit-form" }, TEXT.editForm);
    edit.addEventListener("click", function () { formEditor.open(element); });
    panel.appendChild(el("p", {})).appendChild(edit);
    onChange(field(TEXT.reminders + " reminders", text("reminders", prop(bo, "reminders")),
      function (v) { return v && !/^\d+(,\d+)*$/.test(v) ? TEXT.badReminders : ""; }),
      function (v) { if (!v || /^\d+(,\d+)*$/.test(v)) setProp(element, "reminders", v); });
    onChange(field(TEXT.escalate + " escalate", select("escalate", [["true", TEXT.yes], ["false", TEXT.no]], prop(bo, "escalate"))),
      function (v) { setProp(element, "escalate", v); });
  }
  function serviceTask(element, bo) {
    var op = ext(bo, "spiffworkflow:ServiceTaskOperator"), current = op ? op.id : "";
    var values = {};
    ((op && op.parameterList && op.parameterList.parameters) || []).forEach(function (p) { values[p.id] = p.value; });
    var names = Object.keys(options.handlers).sort().map(function (h) { return [h, h]; });
    onChange(field(TEXT.handler + " handler", select("handler", names, current)), function (v) {
      var keep = {}; (options.handlers[v] || []).forEach(function (p) { keep[p] = values[p] || '""'; });
      setOperator(element, v, keep); show(element);
    });
    (options.handlers[current] || []).forEach(function (p) {
      onChange(field(TEXT.parameter + " " + p, text("param-" + p, values[p])), function (v) { values[p] = v; setOperator(element, current, values); });
    });
  }
  function condition(element, bo) {
    var expr = bo.conditionExpression ? bo.conditionExpression.body : "";
    onChange(field(TEXT.condition + " condition", el("textarea", { name: "condition" }, expr)), function (v) {
      modeling.updateProperties(element, { conditionExpression: v ?
        moddle.create("bpmn:FormalExpression", { body: v }) : undefined });
    });
  }
  function timer(element, definition) {
    var kind = ["timeDuration", "timeDate", "timeCycle"].filter(function (k) { return definition[k]; })[0] || "timeDuration";
    var input = field(TEXT.timer + " " + kind + " " + TEXT.timerHint,
      text("timer", definition[kind] ? definition[kind].body : ""),
      function (v) { return TIMER.test(v) ? "" : TEXT.badTimer; });
    onChange(input, function (v) {
      if (!TIMER.test(v)) return;
      var update = {}; update[kind] = moddle.create("bpmn:FormalExpression", { body: v });
      modeling.updateModdleProperties(element, definition, update);
    });
  }

  // bpmn-js draws only what it can render: DI of a process no participant shows, or an edge without
  // bpmnElement, is reported as an import warning and left out of saveXML. It is put back on save.
  var DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI", undrawn = [];
  function open(text) {
    return modeler.importXML(text).then(function (result) { undrawn = notDrawn(text); return result; });
  }
  function notDrawn(text) {
    var doc = new DOMParser().parseFromString(text, "application/xml"), drawn = {}, out = [];
    modeler.get("elementRegistry").getAll().forEach(function (e) { if (e.di && e.di.id) drawn[e.di.id] = true; });
    var planes = Array.prototype.slice.call(doc.getElementsByTagNameNS(DI_NS, "BPMNPlane"));
    planes.forEach(function (plane, index) {
      Array.prototype.forEach.call(plane.children, function (n) {
        var id = n.getAttribute("id");
        if (n.namespaceURI === DI_NS && id && !drawn[id]) out.push({ id: id, node: n, plane: index, ref: n.getAttribute("bpmnElement") });
      });
    });
    return out;
  }
  function restoreDI(exported) {
    if (!undrawn.length) return exported;
    var doc = new DOMParser().parseFromString(exported, "application/xml"), ids = {}, extra = {};
    Array.prototype.forEach.call(doc.getElementsByTagName("*"), function (n) { if (n.getAttribute("id")) ids[n.getAttribute("id")] = true; });
    var planes = doc.getElementsByTagNameNS(DI_NS, "BPMNPlane");
    undrawn.forEach(function (d) {       // an element deleted in the editor takes its DI along
      if (ids[d.id] || (d.ref && !ids[d.ref]) || !planes.length) return;
      var at = Math.min(d.plane, planes.length - 1);
      extra[at] = (extra[at] || "") + "\n" + new XMLSerializer().serializeToString(d.node);
    });
    Object.keys(extra).map(Number).sort(function (a, b) { return b - a; }).forEach(function (at) {
      var close = "</" + planes[at].tagName + ">", pos = -1;
      for (var i = 0; i <= at; i++) pos = exported.indexOf(close, pos + 1);
      if (pos >= 0) exported = exported.slice(0, pos) + extra[at] + "\n" + exported.slice(pos);
    });
    return exported;
  }
  function xml() {
    return modeler.saveXML({ format: true }).then(function (r) {
      var f = {}; f[fileName] = restoreDI(r.xml);
      Object.keys(forms).forEach(function (k) { f["forms/" + k + ".json"] = forms[k]; });
      return f;
    });
  }
  function post(url, files) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ files: files }) }).then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); });
  }
  var marked = [];
  function showProblems(problems) {
    var list = document.getElementById("ed-problems"), registry = modeler.get("elementRegistry");
    list.innerHTML = ""; overlays.remove({ type: "problem" });
    marked.forEach(function (id) { modeler.get("canvas").removeMarker(id, "has-problem"); }); marked = [];
    problems.forEach(function (p) {
      list.appendChild(el("li", { "data-element": p.element || "" }, (p.element ? p.element + ": " : "") +
        (p.line ? TEXT.line.replace("{n}", p.line) + " " : "") + p.message));
      if (p.element && registry.get(p.element)) {
        overlays.add(p.element, "problem", { position: { top: -12, right: 10 }, html: '<span class="problem-badge" title="' +
          p.message.replace(/"/g, "&quot;") + '">!</span>' });
        modeler.get("canvas").addMarker(p.element, "has-problem"); marked.push(p.element);
      }
    });
  }
  function run(button, url, done) {
    document.getElementById(button).addEventListener("click", function () {
      status.textContent = "…";
      xml().then(function (files) { return post(url, files); }).then(function (res) { done(res[0], res[1]); })
        .catch(function (e) { status.textContent = String(e); });
    });
  }
  run("ed-validate", "/processes/validate", function (code, body) {
    showProblems(body.errors || []); status.textContent = (body.errors || []).length ? TEXT.problems : TEXT.checked;
  });
  run("ed-deploy", "/processes/deploy", function (code, body) {
    if (code === 200) {
      showProblems([]); status.textContent = body.deployed.map(function (d) { return d.key + " v" + d.version; }).join(", ") + " " + TEXT.deployed;
    } else { showProblems(body.details || [{ message: body.message }]); status.textContent = TEXT.deployFailed; }
  });
  run("ed-test", "/processes/" + encodeURIComponent(source.key) + "/test", function (code, body) {
    var list = document.getElementById("ed-results"); list.innerHTML = "";
    (body.results || []).forEach(function (r) {
      list.appendChild(el("li", { "class": r.passed ? "passed" : "failed" }, (r.passed ? TEXT.passed : TEXT.failed) + " " + r.name +
        (r.failures.length ? ": " + r.failures.join("; ") : "")));
    });
    status.textContent = code === 200 ? (body.results || []).length + " " + TEXT.scenariosRun : body.message;
  });

  var formEditor = (function () {
    var box = document.getElementById("form-editor"), key = document.getElementById("fe-key");
    var json = document.getElementById("fe-json"), preview = document.getElementById("fe-preview");
    var error = document.getElementById("fe-error"), current = null, timer = null, seq = 0;
    var SKELETON = { type: "object", required: ["opinion"],
      properties: { opinion: { type: "string", title: TEXT.skeletonTitle, "x-widget": "textarea" } } };
    function slug(id) { return String(id).toLowerCase().replace(/[^a-z0-9_]+/g, "_").slice(0, 64); }
    function load(k) {
      if (forms[k] !== undefined) return Promise.resolve(forms[k]);
      return fetch("/processes/forms/" + encodeURIComponent(k) + ".json", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json().then(function (b) { return b.text; }) : JSON.stringify(SKELETON, null, 2); });
    }
    function render() {
      var mine = ++seq;
      if (/^[a-z0-9_]{1,64}$/.test(key.value)) forms[key.value] = json.value;
      fetch("/forms/preview", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ form: json.value }) })
        .then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); })
        .then(function (res) {
          if (mine !== seq) return;
          if (res[0] === 200) { preview.innerHTML = res[1].html; error.textContent = ""; json.setAttribute("aria-invalid", "false"); return; }
          json.setAttribute("aria-invalid", "true");
          error.textContent = (res[1].details || [{ message: res[1].message }]).map(function (d) {
            return (d.path ? d.path + " " : "") + (d.line ? TEXT.line.replace("{n}", d.line) + " " : "") + d.message;
          }).join("; ");
        }).catch(function (e) { error.textContent = String(e); });
    }
    json.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 300); });
    key.addEventListener("change", function () {
      var k = key.value.trim();
      if (!/^[a-z0-9_]{1,64}$/.test(k)) { error.textContent = TEXT.badKey; return; }
      forms[k] = json.value; setProp(current, "formKey", k); show(current); render();
    });
    document.getElementById("fe-close").addEventListener("click", function () {
      box.hidden = true; document.getElementById("ed-canvas").style.height = "70vh"; show(current);
    });
    return { open: function (element) {
      current = element;
      var k = prop(element.businessObject, "formKey") || slug(element.businessObject.id);
      load(k).then(function (text) {
        key.value = k; json.value = text; forms[k] = text;
        if (prop(element.businessObject, "formKey") !== k) { setProp(element, "formKey", k); show(element); }
        document.getElementById("fe-task").textContent = element.businessObject.name || element.businessObject.id;
        box.hidden = false; document.getElementById("ed-canvas").style.height = "40vh";
        box.scrollIntoView(); json.focus(); render();
      });
    } };
  }());

  modeler.on("selection.changed", function (e) { show(e.newSelection[0]); });
  fetch("/processes/editor-options.json", { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (o) { options = o; return open(source.files[fileName]); })
    .then(function (result) {
      modeler.get("canvas").zoom("fit-viewport");
      window.xinfangEditor = modeler;
      window.xinfangDiagram = { open: open, save: function () { return xml().then(function (f) { return f[fileName]; }); } };
      status.textContent = result.warnings.length ? result.warnings.length + " " + TEXT.warnings : "";
      var warned = document.getElementById("ed-warnings");
      result.warnings.forEach(function (w) { warned.querySelector("ul").appendChild(el("li", {}, w.message)); });
      warned.hidden = !result.warnings.length;
      document.body.setAttribute("data-editor-ready", "1");
    })
    .catch(function (e) { status.textContent = TEXT.cannotOpen + " " + e.message; });
}());
